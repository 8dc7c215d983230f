// `npm run screenshots`: the desk's pages as officers see them, in Debian's Chromium, saved to
// docs/screenshots/<name>.png for the README. The gateway runs on a scratch database and
// Redis prefix, and the letters shown are e-mailed to it over SMTP, as in test/browser/.
// Not part of `npm test`: a test run must not change the repository's files.
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import type { Browser } from 'playwright-core';
import type { Action } from '../../letter/transitions';
import {
  BROWSER_ROUTING,
  FORGED_SENDER,
  SCREENS,
  launchBrowser,
  officerWindow,
  signIn,
  startDeskForBrowser,
  type DeskForBrowser,
  type Officer,
} from './browser';
import { sendLetter, waitFor, type LetterToSend } from './services';

const OUT = path.resolve(__dirname, '../../docs/screenshots');

/** The letter whose page is shown: the education office's request, with its real PDF (Thai text), ordered on and worked. */
const SHOWN = { reference: 'ศธ 0206/1457', fixture: '01-utf8-letter.eml' };

/** A registry office's morning: letters from ministries, urgent ones among them, one for finance. */
const LETTERS: LetterToSend[] = [
  {
    from: 'saraban@moi.go.th',
    subject: 'ด่วนที่สุด ที่ มท 0201.2/ว 5951 ลงวันที่ 4 ธันวาคม 2569 เรื่อง การกำหนดที่อยู่ไปรษณีย์อิเล็กทรอนิกส์กลางของหน่วยงาน',
  },
  { from: 'saraban@opm.go.th', subject: 'ด่วน ที่ นร 0105/ว 1234 ลงวันที่ 2 ธันวาคม 2569 เรื่อง การจัดทำรายงานผลการดำเนินงานประจำปี' },
  { from: 'saraban@dga.or.th', subject: 'ที่ สพร 2569/0417 ลงวันที่ 1 ธันวาคม 2569 เรื่อง ขอเชิญเข้าร่วมการอบรมการใช้ระบบสารบรรณอิเล็กทรอนิกส์' },
  { from: 'saraban@example-esa.go.th', subject: `ที่ ${SHOWN.reference} ลงวันที่ 20 พฤศจิกายน 2569 เรื่อง ขอความอนุเคราะห์ข้อมูลสถานศึกษาในพื้นที่` },
  { from: 'saraban@mof.go.th', subject: 'ที่ กค 0402/1234 ลงวันที่ 1 ธันวาคม 2569 เรื่อง ขออนุมัติงบประมาณรายจ่ายประจำปี' },
  // For the supervisor's page: a top-secret message held back, and a letter whose sender the DNS shows forged.
  { from: 'saraban@opm.go.th', subject: 'ลับที่สุด ที่ นร 0505/12 ลงวันที่ 3 ธันวาคม 2569 เรื่อง แผนรักษาความปลอดภัยสถานที่ราชการ' },
  { from: FORGED_SENDER, subject: 'ที่ กต 0401/7788 เรื่อง ขอให้โอนเงินค่าธรรมเนียมการต่ออายุหนังสือเดินทางโดยด่วน' },
];

/** Rules enough to show what the routing page lists: by words of the title, by the sender's domain, by urgency. */
const ROUTING = {
  centralUnit: 'SARABAN',
  rules: [
    ...BROWSER_ROUTING.rules,
    { name: 'กรมบัญชีกลาง', when: { domains: ['cgd.go.th', 'mof.go.th'] }, to: { unit: 'FIN' } },
    { name: 'ด่วนที่สุดจากกระทรวงมหาดไทย', when: { agencies: 'กระทรวงมหาดไทย', urgencies: ['ด่วนที่สุด'] }, to: { unit: 'SARABAN' } },
  ],
};

/** The test settings' agency, with whom a sender calls (the contact page's help desk). */
const AGENCY = {
  name: 'สำนักงานทดสอบ',
  nameEn: 'Test Office',
  domain: 'example.go.th',
  contact: {
    name: 'งานสารบรรณกลาง สำนักงานทดสอบ',
    phone: '0 2123 4567',
    email: 'saraban@example.go.th',
    address: '๑๒๓ ถนนราชดำเนินนอก แขวงบ้านพานถม เขตพระนคร กรุงเทพมหานคร ๑๐๒๐๐',
  },
};

type Who = 'clerk' | 'head' | 'admin';

interface Shot {
  name: string;
  viewport: { width: number; height: number };
  /** Signed in as this officer first; nobody when absent. */
  who?: Who;
  /** The page to show (the shown letter's id given). */
  url: (shown: number) => string;
  /** The whole page, not only the window's height. */
  fullPage?: boolean;
}

const SHOTS: Shot[] = [
  { name: 'login', viewport: SCREENS.desktop, url: () => '/login' },
  { name: 'queue', viewport: SCREENS.desktop, who: 'clerk', url: () => '/' },
  { name: 'queue-phone', viewport: SCREENS.phone, who: 'clerk', url: () => '/', fullPage: true },
  { name: 'letter', viewport: SCREENS.desktop, who: 'clerk', url: (id) => `/letters/${id}` },
  { name: 'letter-phone', viewport: SCREENS.phone, who: 'clerk', url: (id) => `/letters/${id}` },
  { name: 'register', viewport: SCREENS.desktop, who: 'clerk', url: () => '/register' },
  { name: 'held', viewport: SCREENS.desktop, who: 'head', url: () => '/held' },
  { name: 'officers', viewport: SCREENS.desktop, who: 'admin', url: () => '/admin/officers' },
  { name: 'routing', viewport: SCREENS.desktop, who: 'admin', url: () => '/admin/routing' },
  { name: 'contact', viewport: SCREENS.desktop, url: () => '/contact' },
  { name: 'contact-phone', viewport: SCREENS.phone, url: () => '/contact', fullPage: true },
];

/** Takes actions on a letter through the desk's API, signed in as this officer (the page's CSRF token with them). */
async function work(browser: Browser, desk: DeskForBrowser, who: Officer, letterId: number, actions: Action[]): Promise<void> {
  const { context, page } = await officerWindow(browser, desk.baseUrl);
  try {
    await signIn(page, who, `/letters/${letterId}`);
    const token = await page.locator('input[name=_csrf]').first().inputValue();
    for (const action of actions) {
      const answer = await context.request.post(`/api/letters/${letterId}/actions`, { data: action, headers: { 'x-csrf-token': token } });
      if (!answer.ok()) throw new Error(`${action.kind} on letter ${letterId}: ${answer.status()} ${await answer.text()}`);
    }
  } finally {
    await context.close();
  }
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const desk = await startDeskForBrowser({ routing: ROUTING, agency: AGENCY });
  const browser = await launchBrowser();
  try {
    const people: Record<Who, Officer> = {
      clerk: await desk.officer('SARABAN', 'officer', {
        name: 'วิไลวรรณ ศรีสุข',
        checksMailbox: true,
        position: 'เจ้าพนักงานธุรการชำนาญงาน',
        phone: '0 2123 4567 ต่อ 101',
      }),
      head: await desk.officer('SARABAN', 'supervisor', {
        name: 'สมชาย ใจดี',
        position: 'หัวหน้างานสารบรรณกลาง',
        checksMailbox: true,
        phone: '0 2123 4567 ต่อ 100',
        secretClearance: true,
      }),
      admin: await desk.officer('SARABAN', 'admin', { name: 'ประเสริฐ มั่นคง', position: 'นักวิชาการคอมพิวเตอร์', phone: '0 2123 4567 ต่อ 120' }),
    };
    await desk.officer('FIN', 'officer', { name: 'มาลี รักดี', position: 'นักวิชาการเงินและบัญชี', phone: '0 2123 4567 ต่อ 210' });
    // The shown letter is the fixture's: its text and its PDF, whose Thai is that letter's.
    const fixture = await simpleParser(readFileSync(path.resolve(__dirname, '../fixtures', SHOWN.fixture)));
    const pdf = fixture.attachments.find((a) => a.contentType === 'application/pdf')!;
    for (const [i, letter] of LETTERS.entries()) {
      const own = letter.subject?.includes(SHOWN.reference)
        ? { text: fixture.text, attachments: [{ filename: pdf.filename, content: pdf.content, contentType: pdf.contentType }] }
        : {};
      await sendLetter(desk.smtpPort, { ...letter, ...own, messageId: `<screenshot-${i}@example.go.th>` });
    }
    const pool = desk.db.pool;
    await waitFor(
      async () =>
        Number((await pool.query('SELECT count(*) AS n FROM inbound WHERE processed_at IS NOT NULL')).rows[0].n) >= LETTERS.length,
      'every message decided on',
    );
    const shown = Number((await pool.query('SELECT id FROM letter WHERE reference_normalised = $1', [SHOWN.reference])).rows[0].id);
    const finance = Number((await pool.query("SELECT id FROM unit WHERE code = 'FIN'")).rows[0].id);
    // The head orders on it and copies it to finance; the clerk takes it and records what was done so far.
    await work(browser, desk, people.head, shown, [
      {
        kind: 'order',
        text: 'มอบงานสารบรรณกลางรวบรวมข้อมูลสถานศึกษาในพื้นที่ตอบภายในวันที่ ๑๕ ธันวาคม และแจ้งกองคลังทราบ',
        assign: [{ to: { unitId: finance }, purpose: 'know' }],
      },
    ]);
    await work(browser, desk, people.clerk, shown, [
      { kind: 'take' },
      { kind: 'record', text: 'ขอข้อมูลจากสถานศึกษาทั้ง ๑๒ แห่งแล้ว ได้รับคืน ๗ แห่ง', replyNumber: null },
    ]);

    for (const shot of SHOTS) {
      const { context, page } = await officerWindow(browser, desk.baseUrl, shot.viewport);
      if (shot.who) await signIn(page, people[shot.who]);
      await page.goto(shot.url(shown));
      // The Sarabun font in place before the picture, and the PDF drawn in its frame (its viewer gives no sign when).
      await page.evaluate('document.fonts.ready');
      if (await page.locator('iframe.pdf').count()) await page.waitForTimeout(3000);
      const file = path.join(OUT, `${shot.name}.png`);
      // A short page is cut below its end, not padded to the window's height with white.
      const end = Math.ceil(Number(await page.evaluate('document.body.getBoundingClientRect().bottom')));
      const clip = shot.fullPage ? undefined : { x: 0, y: 0, width: shot.viewport.width, height: Math.min(shot.viewport.height, end) };
      await page.screenshot({ path: file, fullPage: shot.fullPage ?? false, clip });
      console.log(`${path.relative(process.cwd(), file)}  ${shot.viewport.width}x${shot.viewport.height}`);
      await context.close();
    }
  } finally {
    await browser.close();
    await desk.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
