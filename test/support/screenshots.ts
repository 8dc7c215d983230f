// `npm run screenshots`: the desk's pages as officers see them, in Debian's Chromium, saved to
// docs/screenshots/<name>.png for the README. The gateway runs on a scratch database and
// Redis prefix, and the letters shown are e-mailed to it over SMTP, as in test/browser/.
// Not part of `npm test`: a test run must not change the repository's files.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { SCREENS, launchBrowser, officerWindow, signIn, startDeskForBrowser, type Officer } from './browser';
import { sendLetter, waitFor, type LetterToSend } from './services';

const OUT = path.resolve(__dirname, '../../docs/screenshots');

/** A registry office's morning: letters from ministries, urgent ones among them, one for finance. */
const LETTERS: LetterToSend[] = [
  {
    from: 'saraban@moi.go.th',
    subject: 'ด่วนที่สุด ที่ มท 0201.2/ว 5951 ลงวันที่ 4 ธันวาคม 2569 เรื่อง การกำหนดที่อยู่ไปรษณีย์อิเล็กทรอนิกส์กลางของหน่วยงาน',
  },
  { from: 'saraban@opm.go.th', subject: 'ด่วน ที่ นร 0105/ว 1234 ลงวันที่ 2 ธันวาคม 2569 เรื่อง การจัดทำรายงานผลการดำเนินงานประจำปี' },
  { from: 'saraban@dga.or.th', subject: 'ที่ สพร 2569/0417 ลงวันที่ 1 ธันวาคม 2569 เรื่อง ขอเชิญเข้าร่วมการอบรมการใช้ระบบสารบรรณอิเล็กทรอนิกส์' },
  { from: 'saraban@moe.go.th', subject: 'ที่ ศธ 0206/1457 ลงวันที่ 20 พฤศจิกายน 2569 เรื่อง ขอเชิญประชุมคณะกรรมการ' },
  { from: 'saraban@mof.go.th', subject: 'ที่ กค 0402/1234 ลงวันที่ 1 ธันวาคม 2569 เรื่อง ขออนุมัติงบประมาณรายจ่ายประจำปี' },
];

interface Shot {
  name: string;
  viewport: { width: number; height: number };
  /** Signed in as this officer first; nobody when absent. */
  who?: 'clerk';
  /** Opens the page to show. */
  open(page: Page): Promise<unknown>;
  /** The whole page, not only the window's height. */
  fullPage?: boolean;
}

const SHOTS: Shot[] = [
  { name: 'login', viewport: SCREENS.desktop, open: (page) => page.goto('/login') },
  { name: 'queue', viewport: SCREENS.desktop, who: 'clerk', open: (page) => page.goto('/') },
  { name: 'queue-phone', viewport: SCREENS.phone, who: 'clerk', open: (page) => page.goto('/'), fullPage: true },
];

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const desk = await startDeskForBrowser();
  const browser = await launchBrowser();
  try {
    const people: Record<NonNullable<Shot['who']>, Officer> = { clerk: await desk.officer('SARABAN', 'supervisor') };
    await desk.officer('FIN');
    for (const [i, letter] of LETTERS.entries()) {
      await sendLetter(desk.smtpPort, { ...letter, messageId: `<screenshot-${i}@example.go.th>` });
    }
    await waitFor(
      async () => Number((await desk.db.pool.query('SELECT count(*) AS n FROM assignment')).rows[0].n) >= LETTERS.length,
      'every letter registered and routed',
    );
    for (const shot of SHOTS) {
      const { context, page } = await officerWindow(browser, desk.baseUrl, shot.viewport);
      if (shot.who) await signIn(page, people[shot.who]);
      await shot.open(page);
      // The Sarabun font in place before the picture.
      await page.evaluate('document.fonts.ready');
      const file = path.join(OUT, `${shot.name}.png`);
      await page.screenshot({ path: file, fullPage: shot.fullPage ?? false });
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
