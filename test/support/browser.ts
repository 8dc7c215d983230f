// A real Chromium for the desk's pages: Debian's /usr/bin/chromium driven by playwright-core
// (which downloads no browser of its own here), and the whole gateway behind it on the test's
// own services: SMTP intake, the workers, and the desk listening on 127.0.0.1 for the browser.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startRoles, type Running } from '../../bin/roles';
import type { Role } from '../../letter/access';
import { makeOfficer } from './desk';
import { tableResolver } from './dns';
import { addUnit } from './letters';
import { createTestDatabase, flushPrefix, silent, startRelay, testConfig, type Relay, type TestDatabase } from './services';

export const CHROMIUM = '/usr/bin/chromium';

/** What works on the CI machine: headless, no sandbox (tests run as root), nothing fetched from outside. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** An office screen and a phone: the two sizes issue 16 asks the layout to work at. */
export const SCREENS = {
  desktop: { width: 1366, height: 768 },
  phone: { width: 390, height: 844 },
} as const;

/**
 * Starts Chromium. playwright gives it a fresh --user-data-dir of its own in the temp folder and
 * removes it on close() (it refuses one in `args`: a profile of our choosing is only for a
 * persistent context, which cannot hold one window per officer).
 */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no browser at ${CHROMIUM}: install it: apt-get install chromium (.ci/run does so when it is missing)`);
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 });
}

export interface Officer {
  username: string;
  password: string;
  name: string;
}

/** What an officer may be given beyond a unit and a role: a name, a position, a telephone, secret clearance. */
export type OfficerDetails = Omit<NonNullable<Parameters<typeof makeOfficer>[2]>, 'unitCode' | 'password'>;

export interface DeskForBrowser {
  db: TestDatabase;
  relay: Relay;
  running: Running;
  /** Where the browser finds the desk: http://127.0.0.1:<port> */
  baseUrl: string;
  smtpPort: number;
  /** A new officer with a password, of this unit (named for secret mail, and as given, when asked). */
  officer(unitCode: string, role?: Role, extra?: OfficerDetails): Promise<Officer>;
  close(): Promise<void>;
}

/** The routing the browser tests and the screenshots use: budget letters to the finance unit, the rest to the registry. */
export const BROWSER_ROUTING = {
  centralUnit: 'SARABAN',
  rules: [{ name: 'งบประมาณ', when: { titleWords: 'งบประมาณ' }, to: { unit: 'FIN' } }],
};

/**
 * A sender the DNS shows forged: its domain publishes DMARC p=reject and lets only another
 * machine send for it, so a letter from 127.0.0.1 is registered as suspect (น่าสงสัย).
 * Every other sender's domain has no records: unverified, as with the DNS switched off.
 */
export const FORGED_SENDER = 'saraban@mfa.go.th';
const DNS_RECORDS = new Map<string, string[]>([
  ['mfa.go.th', ['v=spf1 ip4:192.0.2.10 -all']],
  ['_dmarc.mfa.go.th', ['v=DMARC1; p=reject']],
]);

/**
 * The gateway as `saraban all` runs it, on a private database and Redis prefix: letters e-mailed
 * to its SMTP port are registered and routed by the workers, and the desk answers a browser.
 * Units SARABAN (the registry) and FIN (finance), BROWSER_ROUTING between them; `settings`
 * replace the test settings' own (e.g. `routing`, `agency`); DNS from a table (FORGED_SENDER).
 */
export async function startDeskForBrowser(settings: Record<string, unknown> = {}): Promise<DeskForBrowser> {
  const db = await createTestDatabase();
  const relay = await startRelay();
  await addUnit(db.pool, 'SARABAN', 'งานสารบรรณกลาง');
  await addUnit(db.pool, 'FIN', 'กองคลัง');
  const config = testConfig(db.url, {
    relay: { url: relay.url },
    routing: BROWSER_ROUTING,
    ...settings,
    // Plain http on 127.0.0.1; each test signs in afresh, more often than the default brake allows.
    desk: { port: 0, secureCookies: false, login: { perMinute: 1000 } },
  });
  const running = await startRoles(['gateway', 'worker', 'desk'], config, silent, { resolver: tableResolver(DNS_RECORDS) });
  return {
    db,
    relay,
    running,
    baseUrl: `http://127.0.0.1:${running.deskPort}`,
    smtpPort: running.smtpPort!,
    async officer(unitCode, role = 'officer', extra = {}) {
      const made = await makeOfficer(db, role, { unitCode, ...extra });
      return { username: made.username, password: made.password, name: made.name };
    },
    async close() {
      await running.stop();
      await relay.close();
      await db.drop();
      await flushPrefix(config.redis.prefix);
    },
  };
}

/** A browser window of one officer's own: its own cookies, at this screen size. */
export async function officerWindow(browser: Browser, baseUrl: string, viewport: { width: number; height: number } = SCREENS.desktop) {
  const context = await browser.newContext({ baseURL: baseUrl, viewport, locale: 'th-TH', timezoneId: 'Asia/Bangkok' });
  const page = await context.newPage();
  return { context, page };
}

/** Signs in through the sign-in form as an officer would, and waits for the page it leads to. */
export async function signIn(page: Page, who: Officer, next = '/'): Promise<void> {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel('ชื่อผู้ใช้').fill(who.username);
  await page.getByLabel('รหัสผ่าน').fill(who.password);
  await Promise.all([page.waitForURL((url) => url.pathname !== '/login'), page.getByRole('button', { name: 'เข้าสู่ระบบ' }).click()]);
}

/** Whether the page scrolls sideways: wider than the window. */
export async function scrollsSideways(page: Page): Promise<{ scrollWidth: number; innerWidth: number }> {
  // A string: the tests are compiled without the DOM's types.
  return page.evaluate('({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })');
}

/**
 * For a describe block: the gateway with its desk, and one Chromium, both started before its tests
 * and stopped after (the officers' windows close with the browser).
 */
export function useDeskInBrowser(): { desk: DeskForBrowser; browser: Browser } {
  const env = {} as { desk: DeskForBrowser; browser: Browser };
  beforeAll(async () => {
    env.desk = await startDeskForBrowser();
    env.browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await env.browser?.close();
    await env.desk?.close();
  }, 60_000);
  return env;
}

/**
 * Keeps what a window's console says the Content-Security-Policy refused, and scripts that
 * failed, in `into` (a test file's afterEach expects it empty).
 */
export function watchConsole(page: Page, who: string, into: string[]): Page {
  page.on('console', (m) => {
    if (/Content.Security.Policy/i.test(m.text())) into.push(`${who}: ${m.text()}`);
  });
  page.on('pageerror', (err) => into.push(`${who}: ${err.message}`));
  return page;
}

/**
 * Searches a listing (the queue, the register) with its search form, as an officer types it;
 * answers the titles listed.
 */
export async function search(page: Page, words: string): Promise<string[]> {
  await page.getByLabel('ค้นหา', { exact: true }).fill(words);
  await Promise.all([
    page.waitForURL((url) => url.searchParams.get('q') === words),
    page.getByLabel('ค้นหา', { exact: true }).press('Enter'),
  ]);
  return page.locator('table.letters td.title > a').allTextContents();
}

/** The page's one h1. */
export async function headingOf(page: Page): Promise<string | null> {
  return page.getByRole('heading', { level: 1 }).textContent();
}
