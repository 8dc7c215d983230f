import type { Page } from 'playwright-core';
import { toThaiDigits } from '../../letter/calendar';
import {
  FORGED_SENDER,
  SCREENS,
  headingOf,
  officerWindow,
  scrollsSideways,
  search,
  signIn,
  useDeskInBrowser,
  watchConsole,
  type Officer,
} from '../support/browser';
import { sendLetter, waitFor } from '../support/services';

// A letter's life at the desk in a real Chromium: e-mailed to the gateway, opened from the
// registry clerk's queue, forwarded to the finance unit through the page's form, worked and
// closed there, then found in the register; the forward form by keyboard alone; and the pages
// added since the queue (letter, register, held, officers) laid out on an office screen and a phone.
describe("a letter's life at the desk, in a browser", () => {
  const env = useDeskInBrowser();
  let clerk: Officer;
  let finance: Officer;
  let head: Officer;
  let admin: Officer;
  const pages = {} as Record<'clerk' | 'finance' | 'head' | 'admin', Page>;
  const refused: string[] = [];

  /** The letter followed through its life; two more on the same subject before and after it in the register. */
  const MEETING = { reference: 'นร 0105/4321', title: 'ขอเชิญประชุมคณะทำงานพัฒนาระบบสารบรรณอิเล็กทรอนิกส์' };
  const OTHERS = [
    { reference: 'ศธ 0206/1457', title: 'ขอเชิญประชุมคณะกรรมการสถานศึกษา' },
    { reference: 'มท 0201.2/ว 5951', title: 'ขอเชิญประชุมชี้แจงการใช้ที่อยู่ไปรษณีย์อิเล็กทรอนิกส์กลาง' },
  ];
  /** The one forwarded by keyboard. */
  const TRAINING = { reference: 'สพร 2569/0417', title: 'ขอเชิญเข้าร่วมการอบรมการใช้ระบบสารบรรณ' };
  const NOTE = 'โปรดพิจารณาค่าใช้จ่ายในการเดินทางไปประชุม';
  const PRACTICE = 'ขออนุมัติค่าเดินทางแล้ว และแจ้งรายชื่อผู้เข้าประชุมไปยังสำนักนายกรัฐมนตรี';
  let meetingUrl: string;

  const subject = (l: { reference: string; title: string }) => `ที่ ${l.reference} ลงวันที่ 1 ธันวาคม 2569 เรื่อง ${l.title}`;

  /** Letters the workers have decided on (registered, held, or otherwise). */
  const decided = async () =>
    Number((await env.desk.db.pool.query('SELECT count(*) AS n FROM inbound WHERE processed_at IS NOT NULL')).rows[0].n);

  /** The register's fields of the letter's page, each heading with its value. */
  const fieldsOf = (page: Page): Promise<Record<string, string>> =>
    page.evaluate(`Object.fromEntries([...document.querySelectorAll('#register ~ dl.fields > dt')]
      .map((dt) => [dt.textContent, dt.nextElementSibling.textContent.trim()]))`);

  /** Opens one of the letter page's folded forms by its name. */
  const unfold = (page: Page, name: string) => page.locator('details.action > summary', { hasText: new RegExp(`^${name}$`) }).click();

  /** A form's button, found from one of its fields. */
  const buttonOf = (page: Page, field: string, name: string) =>
    page.locator(`form:has(#${field})`).getByRole('button', { name, exact: true });

  /** Clicks a button that posts an action, and waits for the letter's page it leads back to. */
  async function act(page: Page, button: ReturnType<Page['locator']>, done: string): Promise<void> {
    await Promise.all([page.waitForURL((url) => url.searchParams.get('done') === done), button.click()]);
  }

  const stateOnPage = (page: Page) => page.locator('p.lead .state').textContent();

  beforeAll(async () => {
    clerk = await env.desk.officer('SARABAN');
    finance = await env.desk.officer('FIN');
    head = await env.desk.officer('SARABAN', 'supervisor', { secretClearance: true });
    admin = await env.desk.officer('SARABAN', 'admin');
    for (const [key, who] of Object.entries({ clerk, finance, head, admin })) {
      const { page } = await officerWindow(env.browser, env.desk.baseUrl);
      pages[key as keyof typeof pages] = watchConsole(page, who.username, refused);
      await signIn(page, who);
    }
    // Before the letter followed: one on the same subject, a top-secret message (held), one from a forged sender.
    await sendLetter(env.desk.smtpPort, { subject: subject(OTHERS[0]), messageId: '<meeting-0@moe.go.th>' });
    await sendLetter(env.desk.smtpPort, {
      subject: 'ลับที่สุด ที่ นร 0505/12 เรื่อง แผนรักษาความปลอดภัยสถานที่ราชการ',
      messageId: '<top-secret@opm.go.th>',
    });
    await sendLetter(env.desk.smtpPort, {
      from: FORGED_SENDER,
      subject: 'ที่ กต 0401/7788 เรื่อง ขอให้โอนเงินค่าธรรมเนียมโดยด่วน',
      messageId: '<forged@mfa.go.th>',
    });
    await waitFor(async () => (await decided()) >= 3, 'the first three messages decided', 60_000);
    // Four sign-ins (scrypt) and three letters through the workers: slow on a busy shared machine.
  }, 120_000);

  afterEach(() => {
    expect(refused.splice(0)).toEqual([]);
  });

  it('opens a letter e-mailed to the gateway from the queue, with its fields and its PDF, stamped, shown beside them', async () => {
    const page = pages.clerk;
    await page.goto('/');
    await sendLetter(env.desk.smtpPort, { subject: subject(MEETING), messageId: '<meeting-1@opm.go.th>', from: 'saraban@opm.go.th' });
    const link = page.locator('table.letters td.title > a', { hasText: MEETING.title });
    await link.waitFor({ timeout: 20_000 });
    // The receipt stamp is a job of its own, after registration: the page shows the stamped copy once it is made.
    const stamped = `SELECT s.state FROM letter_stamp s JOIN letter l ON l.id = s.letter_id WHERE l.message_id = '<meeting-1@opm.go.th>'`;
    await waitFor(async () => (await env.desk.db.pool.query(stamped)).rows[0]?.state === 'stamped', 'the receipt stamp made');

    const pdf = page.waitForResponse((r) => /\/api\/letters\/\d+\/stamped$/.test(r.url()));
    await Promise.all([page.waitForURL(/\/letters\/\d+$/), link.click()]);
    meetingUrl = new URL(page.url()).pathname;
    expect(await headingOf(page)).toMatch(/^หนังสือรับเลขที่ [๐-๙]+\/๒๕[๐-๙]{2}$/);
    const fields = await fieldsOf(page);
    expect(fields).toMatchObject({
      ที่: 'นร ๐๑๐๕/๔๓๒๑',
      ลงวันที่: '๑ ธันวาคม ๒๕๖๙',
      เรื่อง: MEETING.title,
      ชั้นความเร็ว: 'ปกติ',
      ชั้นความลับ: 'ปกติ',
    });
    expect(fields['เลขทะเบียนรับ']).toMatch(/^[๐-๙]+\/๒๕[๐-๙]{2}$/);
    expect(fields['จาก']).toContain('saraban@opm.go.th');
    // Routed to the registry, to its one officer on duty (the round robin's only choice).
    expect(await stateOnPage(page)).toBe('มอบหมาย');
    expect(await page.locator('#work ~ dl.fields > dd').nth(1).textContent()).toBe(`${clerk.name} (งานสารบรรณกลาง)`);

    // The PDF with its stamp in its frame: the desk serves it, as a PDF, to be shown inline; the original beside it.
    const response = await pdf;
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toBe('application/pdf');
    expect(response.headers()['content-disposition']).toMatch(/^inline/);
    const frame = page.locator('iframe.pdf');
    expect(await frame.getAttribute('src')).toBe(`${new URL(response.url()).pathname}#navpanes=0&view=FitH`);
    expect(await frame.getAttribute('title')).toBe('ตัวหนังสือพร้อมตรารับ: หนังสือเชิญประชุม.pdf');
    expect(await page.locator('#document ~ p a', { hasText: 'ต้นฉบับ หนังสือเชิญประชุม.pdf' }).getAttribute('href')).toMatch(
      /^\/api\/letters\/\d+\/attachments\/1$/,
    );
    expect(page.frames().map((f) => f.url().split('#')[0])).toContain(response.url());
    expect(await frame.isVisible()).toBe(true);
  });

  it("forwards the letter to the finance unit with a note through the page's form, and it is in that unit's queue", async () => {
    const page = pages.clerk;
    await page.goto(meetingUrl);
    await unfold(page, 'ส่งต่อ');
    await page.getByLabel('ส่งถึง').selectOption({ label: 'กองคลัง' });
    expect(await page.getByLabel('เพื่อ', { exact: true }).inputValue()).toBe('act');
    await page.getByLabel('หมายเหตุถึงผู้รับ').fill(NOTE);
    await act(page, buttonOf(page, 'forward-to', 'ส่งต่อ'), 'forward');
    expect(await page.getByRole('status').textContent()).toBe('ส่งต่อแล้ว');
    expect(await stateOnPage(page)).toBe('มอบหมาย');

    await pages.finance.goto('/');
    const row = pages.finance.locator('table.letters tbody tr', { hasText: MEETING.title });
    expect(await row.locator('td').last().textContent()).toBe('กองคลัง');
  });

  it('lets the finance officer take it, record what was done (การปฏิบัติ) and close it (เสร็จ)', async () => {
    const page = pages.finance;
    await Promise.all([page.waitForURL((url) => url.pathname === meetingUrl), page.getByRole('link', { name: MEETING.title }).click()]);
    await act(page, page.getByRole('button', { name: 'รับเรื่อง' }), 'take');
    expect(await stateOnPage(page)).toBe('ดำเนินการ');

    await unfold(page, 'บันทึกการปฏิบัติ');
    await page.getByLabel('การปฏิบัติ', { exact: true }).fill(PRACTICE);
    await act(page, buttonOf(page, 'record-text', 'บันทึกการปฏิบัติ'), 'record');
    expect(await page.getByRole('status').textContent()).toBe('บันทึกการปฏิบัติแล้ว');

    await unfold(page, 'ปิดเรื่อง \\(เสร็จ\\)');
    await act(page, buttonOf(page, 'close-note', 'ปิดเรื่อง'), 'close');
    expect(await page.getByRole('status').textContent()).toBe('ปิดเรื่องแล้ว');
    expect(await stateOnPage(page)).toBe('เสร็จ');
    // Nothing left to do but reopen it, or send a copy round to be known.
    expect(await page.locator('details.action > summary').allTextContents()).toEqual(['แจ้งเพื่อทราบ', 'เปิดเรื่องอีกครั้ง']);
  });

  it("shows each step of the letter's life in its history, in Thai, with who and what they wrote", async () => {
    const page = pages.clerk;
    await page.goto(meetingUrl);
    const number = (await fieldsOf(page))['เลขทะเบียนรับ'];
    const steps = page.locator('ol.history > li');
    expect(await steps.locator('.event').allTextContents()).toEqual([
      `ลงทะเบียนรับ เลขที่ ${number}`,
      `ส่งเข้าคิวของ ${clerk.name}`,
      'ส่งต่อถึง กองคลัง เพื่อดำเนินการ',
      'รับเรื่อง',
      'บันทึกการปฏิบัติ',
      'ปิดเรื่อง',
    ]);
    const who = (await steps.locator('.meta').allTextContents()).map((meta) => meta.split(' · ')[0]);
    expect(who).toEqual(['ระบบ', 'ระบบ', clerk.name, finance.name, finance.name, finance.name]);
    expect(await steps.locator('.meta time').first().textContent()).toMatch(/^วันที่ [๐-๙]+ \S+ ๒๕[๐-๙]{2} เวลา [๐-๙]{2}\.[๐-๙]{2} น\.$/);
    expect(await steps.locator('blockquote.note').allTextContents()).toEqual([NOTE, PRACTICE]);
    expect(await steps.nth(1).locator('.facts').textContent()).toBe('ไม่ตรงกฎใด จึงส่งหน่วยงานสารบรรณกลาง');
    expect(await steps.nth(3).locator('.facts').textContent()).toBe('สถานะ มอบหมาย → ดำเนินการ');
    expect(await steps.nth(5).locator('.facts').textContent()).toBe('สถานะ ดำเนินการ → เสร็จ');
  });

  it('finds the letter in the register by a Thai word of its title and by Thai digits of its reference, in number order, done', async () => {
    await sendLetter(env.desk.smtpPort, { subject: subject(OTHERS[1]), messageId: '<meeting-2@moi.go.th>' });
    await waitFor(async () => (await decided()) >= 5, 'the last letter registered');
    const page = pages.clerk;
    await page.goto('/register');
    expect(await headingOf(page)).toBe('ทะเบียนหนังสือรับ');

    const titles = await search(page, 'ประชุม');
    expect(titles).toEqual([OTHERS[0].title, MEETING.title, OTHERS[1].title]);
    const numbers = (await page.locator('table.register td.num').allTextContents()).map((n) =>
      Number(n.replace(/[๐-๙]/g, (d) => String('๐๑๒๓๔๕๖๗๘๙'.indexOf(d)))),
    );
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    expect(new Set(numbers).size).toBe(3);

    expect(await search(page, toThaiDigits('0105/4321'))).toEqual([MEETING.title]);
    const row = page.locator('table.register tbody tr');
    expect(await row.locator('td[data-label="ที่"]').textContent()).toBe('นร ๐๑๐๕/๔๓๒๑');
    expect(await row.locator('td[data-label="การปฏิบัติ"] .state').textContent()).toBe('เสร็จ');
    expect(await row.locator('td[data-label="การปฏิบัติ"] small.recorded').textContent()).toBe(PRACTICE);
    expect(await row.locator('td.num a').getAttribute('href')).toBe(meetingUrl);
  });

  it('lets the forward form be filled and sent with the keyboard alone', async () => {
    await sendLetter(env.desk.smtpPort, { subject: subject(TRAINING), messageId: '<training@dga.or.th>' });
    const page = pages.clerk;
    await page.goto('/');
    const link = page.getByRole('link', { name: TRAINING.title });
    await link.waitFor({ timeout: 20_000 });
    await page.goto((await link.getAttribute('href'))!);
    /** The focused element: its tag, id and words. */
    const focused = (): Promise<[string, string, string]> =>
      page.evaluate('[document.activeElement.tagName, document.activeElement.id, document.activeElement.textContent.trim()]');

    // Tab from the top of the page to the folded forward form, and open it with Enter.
    let presses = 0;
    do {
      await page.keyboard.press('Tab');
      presses += 1;
    } while (JSON.stringify(await focused()) !== JSON.stringify(['SUMMARY', '', 'ส่งต่อ']) && presses < 40);
    expect(await focused()).toEqual(['SUMMARY', '', 'ส่งต่อ']);
    // The officer sees where the keyboard is.
    expect(await page.evaluate('getComputedStyle(document.activeElement).outlineStyle')).toBe('solid');
    await page.keyboard.press('Enter');
    expect(await page.locator('details.action:has(#forward-to)').getAttribute('open')).toBe('');

    await page.keyboard.press('Tab');
    expect((await focused())[1]).toBe('forward-to');
    // Down the closed list to the unit, one option at a time.
    const chosen = () => page.evaluate("document.getElementById('forward-to').selectedOptions[0].textContent");
    for (let down = 0; (await chosen()) !== 'กองคลัง' && down < 10; down += 1) await page.keyboard.press('ArrowDown');
    expect(await chosen()).toBe('กองคลัง');
    await page.keyboard.press('Tab');
    expect((await focused())[1]).toBe('forward-purpose');
    await page.keyboard.press('Tab');
    expect((await focused())[1]).toBe('forward-note');
    await page.keyboard.type('ส่งผ่านแป้นพิมพ์');
    await page.keyboard.press('Tab');
    expect(await focused()).toEqual(['BUTTON', '', 'ส่งต่อ']);
    await Promise.all([page.waitForURL((url) => url.searchParams.get('done') === 'forward'), page.keyboard.press('Enter')]);

    expect(await page.getByRole('status').textContent()).toBe('ส่งต่อแล้ว');
    expect(await page.locator('ol.history .event').last().textContent()).toBe('ส่งต่อถึง กองคลัง เพื่อดำเนินการ');
    expect(await page.locator('ol.history blockquote.note').last().textContent()).toBe('ส่งผ่านแป้นพิมพ์');
    await pages.finance.goto('/');
    expect(await pages.finance.getByRole('link', { name: TRAINING.title }).isVisible()).toBe(true);
  });

  it.each(Object.entries(SCREENS))(
    'lays the letter page, the register, the held letters and the officers out without scrolling sideways on a %s screen',
    async (_, viewport) => {
      const shown: Array<[keyof typeof pages, string, string]> = [
        ['clerk', meetingUrl, 'หนังสือรับเลขที่'],
        ['clerk', '/register', 'ทะเบียนหนังสือรับ'],
        ['head', '/held', 'หนังสือที่กันไว้'],
        ['admin', '/admin/officers', 'เจ้าหน้าที่'],
      ];
      for (const [who, url, heading] of shown) {
        const page = pages[who];
        await page.setViewportSize(viewport);
        await page.goto(url);
        expect([url, await headingOf(page)]).toEqual([url, expect.stringContaining(heading)]);
        expect([url, await scrollsSideways(page)]).toEqual([url, { scrollWidth: viewport.width, innerWidth: viewport.width }]);
      }
      // The held page lists something: the top-secret message (for a supervisor named for secret mail) and the suspect letter.
      expect(await pages.head.locator('table.letters tbody tr').count()).toBe(2);
    },
  );
});
