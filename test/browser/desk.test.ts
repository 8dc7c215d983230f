import type { Page } from 'playwright-core';
import { SCREENS, headingOf, officerWindow, scrollsSideways, search, signIn, useDeskInBrowser, watchConsole, type Officer } from '../support/browser';
import { sendLetter } from '../support/services';

// The desk in a real Chromium, in front of the whole gateway on real services: letters e-mailed
// to its SMTP port are registered and routed by the workers, and officers meet them in their
// browsers as they would at the office (issue 16, "Tested in a real browser").
describe('the desk in a browser', () => {
  const env = useDeskInBrowser();
  let finance: Officer;
  let clerk: Officer;
  /** Each officer's window, open for the whole file as an officer keeps the desk open all day. */
  let financePage: Page;
  let clerkPage: Page;
  /** What each window's console said that the Content-Security-Policy refused, and scripts that failed. */
  const refused: string[] = [];

  const BUDGET = { title: 'ขออนุมัติงบประมาณรายจ่ายประจำปี', reference: 'กค 0402/1234' };
  const REPORT = { title: 'รายงานผลการใช้งบประมาณ ไตรมาส ๑', reference: 'กค 0402/5678' };
  const SCRIPTED = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">';

  async function openWindow(who: Officer, viewport: { width: number; height: number } = SCREENS.desktop): Promise<Page> {
    const { page } = await officerWindow(env.browser, env.desk.baseUrl, viewport);
    return watchConsole(page, who.username, refused);
  }

  beforeAll(async () => {
    finance = await env.desk.officer('FIN');
    clerk = await env.desk.officer('SARABAN');
    financePage = await openWindow(finance);
    clerkPage = await openWindow(clerk);
  });

  afterEach(() => {
    expect(refused.splice(0)).toEqual([]);
  });

  it('lets an officer sign in with the keyboard alone: type the name, Tab, the password, Enter', async () => {
    const page = financePage;
    await page.goto('/login');
    // The name field has the focus from the start.
    expect(await page.evaluate('document.activeElement.id')).toBe('username');
    await page.keyboard.type(finance.username);
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.id')).toBe('password');
    await page.keyboard.type(finance.password);
    await Promise.all([page.waitForURL((url) => url.pathname === '/'), page.keyboard.press('Enter')]);
    await expectHeading(page, 'คิวงาน');
    expect(await page.locator('header .who').textContent()).toContain(finance.name);
  });

  it('signs an officer in through the form and back to the page asked for', async () => {
    await signIn(clerkPage, clerk, '/?mine=true');
    expect(new URL(clerkPage.url()).search).toBe('?mine=true');
    await expectHeading(clerkPage, 'คิวงานของฉัน');
    await clerkPage.goto('/');
    expect(await clerkPage.getByText('ไม่มีหนังสือในคิวนี้').isVisible()).toBe(true);
  });

  it('shows a letter e-mailed to the gateway in an open queue page within seconds, without a reload', async () => {
    const page = financePage;
    await page.goto('/');
    expect(await page.locator('table.letters').count()).toBe(0);
    // Gone if the page were loaded again.
    await page.evaluate('window.__sameDocument = true');
    const sent = Date.now();
    await sendLetter(env.desk.smtpPort, {
      subject: `ที่ ${BUDGET.reference} ลงวันที่ 1 ธันวาคม 2569 เรื่อง ${BUDGET.title}`,
      messageId: '<budget-1@mof.go.th>',
      from: 'saraban@mof.go.th',
    });
    const row = page.locator('table.letters tbody tr', { hasText: BUDGET.title });
    await row.waitFor({ timeout: 20_000 });
    const seconds = (Date.now() - sent) / 1000;
    expect(await page.evaluate('window.__sameDocument')).toBe(true);
    expect(seconds).toBeLessThan(20);
    // The register's number and the reference in Thai digits, the state, who holds it.
    expect(await row.locator('td.num').textContent()).toMatch(/^[๐-๙]+\/๒๕[๐-๙]{2}$/);
    expect(await row.textContent()).toContain('กค ๐๔๐๒/๑๒๓๔');
    expect(await row.textContent()).toContain(finance.name);
    expect(await page.locator('#queue-count').textContent()).toBe('พบ ๑ รายการ');
  });

  it('finds a letter by a Thai word and by Thai digits with the search form', async () => {
    await sendLetter(env.desk.smtpPort, { subject: `ที่ ${REPORT.reference} เรื่อง ${REPORT.title}`, messageId: '<budget-2@mof.go.th>' });
    const page = financePage;
    await page.locator('table.letters tbody tr', { hasText: REPORT.title }).waitFor({ timeout: 20_000 });

    expect(await search(page, 'รายจ่าย')).toEqual([BUDGET.title]);
    expect(await search(page, 'ไตรมาส')).toEqual([REPORT.title]);
    expect((await search(page, 'งบประมาณ')).sort()).toEqual([BUDGET.title, REPORT.title].sort());
    // Thai digits find what was written in Arabic ones, and the other way round.
    expect(await search(page, '๑๒๓๔')).toEqual([BUDGET.title]);
    expect(await search(page, 'กค ๐๔๐๒/๕๖๗๘')).toEqual([REPORT.title]);
    expect(await search(page, 'ไตรมาส 1')).toEqual([REPORT.title]);
    expect(await search(page, 'ประชุม')).toEqual([]);
    expect(await page.getByText('ไม่มีหนังสือในคิวนี้').isVisible()).toBe(true);
  });

  it('does not show an officer of another unit a letter routed to the finance unit', async () => {
    await financePage.goto('/');
    const href = await financePage.getByRole('link', { name: BUDGET.title }).getAttribute('href');
    expect(href).toMatch(/^\/letters\/\d+$/);

    await clerkPage.goto('/');
    expect(await clerkPage.getByText('ไม่มีหนังสือในคิวนี้').isVisible()).toBe(true);
    expect(await search(clerkPage, 'งบประมาณ')).toEqual([]);
    expect(await search(clerkPage, '๑๒๓๔')).toEqual([]);
    // Nor when asked for by its number: the same answer as for a letter that does not exist.
    const asked = await clerkPage.context().request.get(`/api${href}`);
    expect(asked.status()).toBe(404);
    expect((await financePage.context().request.get(`/api${href}`)).status()).toBe(200);
  });

  it('shows a subject full of script as text, and runs none of it', async () => {
    const page = clerkPage;
    await page.goto('/');
    const asked: string[] = [];
    page.on('request', (r) => asked.push(new URL(r.url()).pathname));
    await sendLetter(env.desk.smtpPort, { subject: SCRIPTED, messageId: '<scripted@evil.example>' });
    // First as the page's script puts the new row in, then as the server draws the page.
    for (const how of ['live', 'loaded']) {
      if (how === 'loaded') await page.reload();
      const title = page.locator('table.letters td.title > a', { hasText: '<script>' });
      await title.waitFor({ timeout: 20_000 });
      expect([how, await title.textContent()]).toEqual([how, SCRIPTED]);
      expect(await title.isVisible()).toBe(true);
      expect(await page.locator('table.letters script, table.letters img').count()).toBe(0);
      expect(await page.evaluate('typeof window.__pwned')).toBe('undefined');
    }
    expect(asked).not.toContain('/x');
  });

  it('refuses a script put into the page inline, as its Content-Security-Policy says', async () => {
    const page = clerkPage;
    await page.goto('/');
    await page.evaluate("document.body.append(Object.assign(document.createElement('script'), { textContent: 'window.__inline = 1' }))");
    expect(await page.evaluate('typeof window.__inline')).toBe('undefined');
    // What this file's watch on the console would report from a letter's script that got through.
    expect(refused.splice(0)).toEqual([expect.stringMatching(/inline script violates the following Content Security Policy directive 'script-src 'self''/)]);
  });

  it('draws the Thai text in Sarabun, served by the desk itself', async () => {
    const page = await openWindow(clerk);
    const fonts: string[] = [];
    page.on('response', (r) => {
      if (/\/assets\/fonts\/.+\.woff2$/.test(r.url()) && r.status() === 200) fonts.push(new URL(r.url()).pathname);
    });
    await page.goto('/login');
    await page.evaluate('document.fonts.ready');
    const loaded = await page.evaluate("[...document.fonts].filter((f) => f.status === 'loaded').map((f) => `${f.family} ${f.weight}`)");
    expect(loaded).toEqual(expect.arrayContaining(['Sarabun 400', 'Sarabun 700']));
    expect(fonts).toEqual(expect.arrayContaining([expect.stringMatching(/\/sarabun-thai-400-normal\.woff2$/)]));
    expect(await page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")).toMatch(/^Sarabun\b/);
    await page.context().close();
  });

  it.each(Object.entries(SCREENS))(
    'lays the queue and the sign-in page out without scrolling sideways on a %s screen',
    async (_, viewport) => {
      for (const page of [financePage, clerkPage]) {
        await page.setViewportSize(viewport);
        await page.goto('/');
        await page.locator('table.letters').waitFor();
        expect(await scrollsSideways(page)).toEqual({ scrollWidth: viewport.width, innerWidth: viewport.width });
        await page.goto('/login');
        expect(await scrollsSideways(page)).toEqual({ scrollWidth: viewport.width, innerWidth: viewport.width });
      }
    },
  );

  it('shows anyone the contact page without signing in: the agency, its central address and the officers who check it', async () => {
    const mailbox = await env.desk.officer('SARABAN', 'officer', {
      checksMailbox: true,
      name: 'วิไลวรรณ ศรีสุข',
      position: 'เจ้าพนักงานธุรการชำนาญงาน',
      phone: '0 2123 4567 ต่อ 101',
    });
    for (const viewport of Object.values(SCREENS)) {
      // A window of its own: no session.
      const { context, page } = await officerWindow(env.browser, env.desk.baseUrl, viewport);
      watchConsole(page, 'a visitor', refused);
      expect((await page.goto('/contact'))?.status()).toBe(200);
      expect(new URL(page.url()).pathname).toBe('/contact');
      expect(await page.locator('header.top').count()).toBe(0);
      expect(await headingOf(page)).toBe('ที่อยู่ไปรษณีย์อิเล็กทรอนิกส์กลาง');
      expect(await page.locator('p.agency').textContent()).toBe('สำนักงานทดสอบ (Test Office)');
      expect(await page.locator('ul.addresses a').allTextContents()).toEqual(['saraban@example.go.th']);
      expect(await page.locator('ul.addresses a').getAttribute('href')).toBe('mailto:saraban@example.go.th');
      // Only the officer named to check the mailbox: not the finance officer nor the clerk.
      const rows = page.locator('table.contact tbody tr');
      expect(await rows.count()).toBe(1);
      expect(await rows.locator('th').textContent()).toBe(mailbox.name);
      expect(await rows.locator('td').allTextContents()).toEqual(['เจ้าพนักงานธุรการชำนาญงาน', '0 2123 4567 ต่อ 101']);
      expect(await rows.getByRole('link').getAttribute('href')).toBe('tel:021234567;ext=101');
      expect(await rows.locator('th').isVisible()).toBe(true);
      expect(await scrollsSideways(page)).toEqual({ scrollWidth: viewport.width, innerWidth: viewport.width });
      await context.close();
    }
  });

  it('signs out with the button, and asks for the password again after', async () => {
    const page = financePage;
    await page.goto('/');
    await Promise.all([page.waitForURL((url) => url.pathname === '/login'), page.getByRole('button', { name: 'ออกจากระบบ' }).click()]);
    await page.goto('/?state=done');
    expect(page.url()).toBe(`${env.desk.baseUrl}/login?next=${encodeURIComponent('/?state=done')}`);
    expect(await page.getByLabel('ชื่อผู้ใช้').isVisible()).toBe(true);
    // The other officer's window is still signed in.
    await clerkPage.goto('/');
    await expectHeading(clerkPage, 'คิวงาน');
  });
});

async function expectHeading(page: Page, text: string): Promise<void> {
  expect(await headingOf(page)).toBe(text);
}
