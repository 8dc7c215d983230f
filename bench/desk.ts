// npm run bench:desk: how fast the desk answers officers on a register of years.
//
//   node dist/bench/desk.js [--letters 200000] [--explain] [--keep]
//
// Fills a scratch register (bench/desk-fill.ts: 20 units, 100 officers, letters over 5 years),
// starts `saraban desk` on it as an office runs it, then sends each kind of request (the
// queue of an officer, a supervisor and the admin; its filters; Thai search; the register page;
// an action's round trip) from 10 concurrent clients (autocannon) and reports p50/p95 of each,
// with the machine's load average beside it. Prints a table and, last, one JSON line.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { stringify as toYaml } from 'yaml';
import { ListQuery, queueQuery } from '../desk/api/letters';
import { percentiles, round } from '../devkit/figures';
import { cpuSeconds, followCpu, freePort, machineCpu, startChild, stopChild, waitForPort, type Child } from '../devkit/processes';
import { createScratchDatabase, deleteRedisPrefix, runName } from '../devkit/scratch';
import { buddhistYear, bangkokDate } from '../letter/calendar';
import { toArabicDigits } from '../letter/thai';
import { LETTER_STATES } from '../letter/transitions';
import { createPool, SERVING_OPTIONS, type Pool } from '../registry/db';
import { findOfficer } from '../registry/officers';
import { queueStatements, type QueueQuery } from '../registry/queue';
import { addPeople, BOOKS, fillLetters, peopleOf, type People, type Person } from './desk-fill';
import { positive, runBench, settingsEnv, type Cleanup } from './harness';
import { AGENCIES, CENTRAL_UNIT, DIVISIONS, SEARCH_WORDS, UNITS } from './desk-office';

const SARABAN = path.join(__dirname, '..', 'bin', 'saraban.js');
const CENTRAL_ADDRESS = 'saraban@example.go.th';

// The issue's target, for the queue and search.
const TARGET_P95_MS = 50;

const USAGE = `npm run bench:desk -- [options]   (or: node dist/bench/desk.js [options])

  --letters N        letters in the register, over 5 years (default 200000)
  --requests N       requests of each kind (default 1000)
  --connections C    concurrent clients (default 10)
  --only WORDS       only the kinds whose name holds one of these words, comma-separated (e.g. search,admin)
  --explain          print EXPLAIN (ANALYZE, BUFFERS) of the queue's statements for each kind
  --keep             keep the scratch database (its URL is printed) and do not drop it at the end
  --reuse URL        measure a register an earlier run kept (--keep) instead of filling one: the
                     same letters before and after a change (a new migration is applied to it)
  --postgres URL     PostgreSQL to create the scratch database in (default postgres://postgres@127.0.0.1:5432/postgres)
  --redis URL        Redis for the desk's sign-in counter (default redis://127.0.0.1:6379)`;

interface Options {
  letters: number;
  requests: number;
  connections: number;
  only: string[];
  explain: boolean;
  keep: boolean;
  reuse?: string;
  postgres: string;
  redis: string;
}

function parseOptions(argv: string[]): Options | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      letters: { type: 'string', default: '200000' },
      requests: { type: 'string', default: '1000' },
      connections: { type: 'string', default: '10' },
      only: { type: 'string', default: '' },
      explain: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      reuse: { type: 'string' },
      postgres: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
      redis: { type: 'string', default: 'redis://127.0.0.1:6379' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return null;
  return {
    letters: positive('letters', values.letters),
    requests: positive('requests', values.requests),
    connections: positive('connections', values.connections),
    only: values.only.split(',').filter((w) => w !== ''),
    explain: values.explain,
    keep: values.keep,
    reuse: values.reuse,
    postgres: values.postgres,
    redis: values.redis,
  };
}

// ---- the kinds of request ----

interface Call {
  who: Person;
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
}

interface Kind {
  name: string;
  /** Held to the issue's target (queue and search). */
  target: boolean;
  /** The calls, taken in turn. */
  calls: Call[];
  /** The queue's query each call's statements are planned for (--explain): the first call's. */
  query?: (call: Call) => QueueQuery;
}

const get = (who: Person, pathname: string, params: Record<string, string> = {}): Call => {
  const search = new URLSearchParams(params).toString();
  return { who, method: 'GET', path: search ? `${pathname}?${search}` : pathname };
};

/** The listing's query as the desk's API reads it from the URL. */
const apiQuery = (call: Call): QueueQuery =>
  queueQuery(ListQuery.parse(Object.fromEntries(new URL(call.path, 'http://desk').searchParams)));

function kinds(people: People, now: Date): Kind[] {
  const admin = people.byUsername.get('admin')!;
  // An officer of every working unit, and the head of each division (กอง): the widest views below the admin's.
  const officers = UNITS.flatMap((u) => people.staff.get(u.code)?.slice(0, 1) ?? []);
  const supervisors = DIVISIONS.map((code) => people.head.get(code)!);
  const day = (daysAgo: number) => bangkokDate(new Date(now.getTime() - daysAgo * 86_400_000));
  const list = (who: Person, params: Record<string, string> = {}) => get(who, '/api/letters', params);
  const api = (name: string, target: boolean, calls: Call[]): Kind => ({ name, target, calls, query: apiQuery });
  const year = buddhistYear(now);
  return [
    api(
      'queue: officer',
      true,
      officers.map((o) => list(o)),
    ),
    api(
      'queue: supervisor (division)',
      true,
      supervisors.map((s) => list(s)),
    ),
    api('queue: admin', true, [list(admin)]),
    api('filter state in_progress,waiting: admin', true, [list(admin, { state: 'in_progress,waiting' })]),
    api('filter urgency ด่วนที่สุด,ด่วนมาก: admin', true, [list(admin, { urgency: 'ด่วนที่สุด,ด่วนมาก' })]),
    api('filter dates (a month a year ago, done): admin', true, [list(admin, { from: day(395), to: day(365), state: 'done' })]),
    api('filter agency: admin', true, [list(admin, { agency: AGENCIES[0].name })]),
    api('filter book RBW: admin', true, [list(admin, { book: 'RBW' })]),
    api(
      'filter dates + agency: supervisor',
      true,
      supervisors.map((s) => list(s, { from: day(90), to: day(0), agency: AGENCIES[1].name })),
    ),
    api(
      'search Thai word: admin',
      true,
      SEARCH_WORDS.map((q) => list(admin, { q })),
    ),
    api('search Thai digits ๐๒๐๑: admin', true, [list(admin, { q: '๐๒๐๑' })]),
    api(
      'search Thai word: officer',
      true,
      officers.map((o, i) => list(o, { q: SEARCH_WORDS[i % SEARCH_WORDS.length] })),
    ),
    api(
      'search Thai word: supervisor',
      true,
      supervisors.map((s, i) => list(s, { q: SEARCH_WORDS[i % SEARCH_WORDS.length] })),
    ),
    {
      name: 'register page (HTML, number order): supervisor',
      target: false,
      calls: supervisors.map((s) => get(s, '/register', { year: String(year) })),
      // As desk/pages/register.ts asks for it: every state, the first book, in number order.
      query: () => ({ ...apiQuery(get(admin, '/register')), book: BOOKS[0].code, year, states: LETTER_STATES, order: 'number', exactCounts: true }),
    },
  ];
}

// ---- measuring ----

interface Figures {
  name: string;
  requests: number;
  /** Answers other than 2xx, and connection errors: the figures of a kind with any are not to be quoted. */
  failed: number;
  /** With failures: what the desk answers the kind's first call, asked again afterwards. */
  failure?: string;
  seconds: number;
  requestsPerSecond: number;
  ms: { p50: number; p95: number; p99: number; p100: number } | null;
  /**
   * The 1-minute load average (as `uptime` prints it) when the kind started and when it ended:
   * it counts this bench's own requests in flight too (up to --connections PostgreSQL backends).
   */
  load: [number, number];
  /**
   * The machine's CPU over the kind: busy, in per cent of all cores, and what went to processes
   * other than the desk, this bench and the PostgreSQL backends of its database (other people's
   * work, the kernel), in per cent of one core.
   */
  cpu: { machineBusyPercent: number; elsewherePercentOfOneCore: number; msPerRequest: { desk: number; postgres: number; bench: number } };
  target: boolean;
}

const load1 = () => round(os.loadavg()[0], 2);

/** CPU seconds used so far by the desk, this process and the PostgreSQL backends serving the register. */
function ourCpu(desk: Child, databaseName: string) {
  const postgres = followCpu('postgres', ` ${databaseName} `);
  const parts = () => {
    const own = process.cpuUsage();
    return { desk: cpuSeconds(desk.process.pid!) ?? 0, postgres: postgres.seconds(), bench: (own.user + own.system) / 1e6 };
  };
  return {
    parts,
    seconds() {
      const p = parts();
      return p.desk + p.postgres + p.bench;
    },
    stop: () => postgres.stop(),
  };
}

type CpuMeter = ReturnType<typeof ourCpu>;

function cpuSince(
  meter: CpuMeter,
  from: { machine: { busy: number; total: number }; parts: ReturnType<CpuMeter['parts']> },
  seconds: number,
  requests: number,
) {
  const machine = machineCpu();
  const busy = machine.busy - from.machine.busy;
  const total = machine.total - from.machine.total;
  const now = meter.parts();
  // What each request cost each process, in ms of CPU: the figure to compare two builds by, as
  // it moves far less from run to run than the latencies do.
  const perRequest = (part: keyof typeof now) => round((1000 * (now[part] - from.parts[part])) / Math.max(requests, 1), 2);
  const ours = now.desk + now.postgres + now.bench - (from.parts.desk + from.parts.postgres + from.parts.bench);
  return {
    machineBusyPercent: total > 0 ? round((100 * busy) / total, 0) : 0,
    elsewherePercentOfOneCore: round((100 * (busy - ours)) / seconds, 0),
    msPerRequest: { desk: perRequest('desk'), postgres: perRequest('postgres'), bench: perRequest('bench') },
  };
}

const httpRequest = (call: Call) => ({
  method: call.method,
  path: call.path,
  headers: {
    authorization: `Bearer ${call.who.token}`,
    ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
  },
  body: call.body === undefined ? undefined : JSON.stringify(call.body),
});

/** What the desk answers a call, when a kind had failures: the first one's status and words. */
async function answerTo(base: string, call: Call): Promise<string> {
  const { path: url, ...init } = httpRequest(call);
  const response = await fetch(base + url, init);
  return `${call.method} ${call.path}: ${response.status} ${(await response.text()).slice(0, 300)}`;
}

/** Sends `amount` requests from `connections` clients, each taking the next of `next()`'s calls. */
async function measure(
  base: string,
  name: string,
  options: { amount: number; connections: number; target: boolean; cpu: CpuMeter },
  sequence: Array<(context: Record<string, unknown>) => Call>,
): Promise<Figures> {
  const times: number[] = [];
  const loadBefore = load1();
  const cpuBefore = { machine: machineCpu(), parts: options.cpu.parts() };
  const started = performance.now();
  let last = started;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: base,
        connections: options.connections,
        amount: options.amount,
        requests: sequence.map((step) => ({
          setupRequest: (request: autocannon.Request, context: object) => {
            return { ...request, ...httpRequest(step(context as Record<string, unknown>)) };
          },
        })),
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
    instance.on('response', (_client, _status, _bytes, ms) => {
      times.push(ms);
      last = performance.now();
    });
  });
  // To the last answer: autocannon itself notices the end only at its next tick.
  const seconds = (last - started) / 1000;
  const at = percentiles(times, [50, 95, 99, 100]);
  return {
    name,
    requests: times.length,
    failed: result.non2xx + result.errors + result.timeouts,
    seconds: round(seconds, 2),
    requestsPerSecond: round(times.length / seconds, 1),
    ms: at,
    load: [loadBefore, load1()],
    cpu: cpuSince(options.cpu, cpuBefore, (performance.now() - started) / 1000, times.length),
    target: options.target,
  };
}

/** Each call of the kind in turn, as many as asked for. */
function inTurn(calls: Call[]): (context: Record<string, unknown>) => Call {
  let next = 0;
  return () => calls[next++ % calls.length];
}

/**
 * An action's round trip: letters assigned to an officer by name, each taken (รับเรื่อง) and
 * then its การปฏิบัติ recorded by that officer, on each client one after the other.
 */
async function actionCalls(pool: Pool, people: People, letters: number) {
  const { rows } = await pool.query(
    `SELECT a.letter_id, o.username FROM assignment a JOIN letter_work w ON w.letter_id = a.letter_id
       JOIN letter l ON l.id = a.letter_id JOIN officer o ON o.id = a.officer_id
      WHERE w.state = 'assigned' AND a.purpose = 'act' AND a.ended_at IS NULL AND NOT l.restricted
      ORDER BY md5(a.letter_id::text) LIMIT $1`,
    [letters],
  );
  const pairs = rows.map((r) => ({ id: r.letter_id as number, who: people.byUsername.get(r.username)! }));
  let next = 0;
  // Never more takes than letters when each client gets whole pairs (below); were there, a
  // letter taken again answers 409 and shows among the failures.
  const take = (context: Record<string, unknown>): Call => {
    const pair = pairs[next++ % pairs.length];
    context.pair = pair;
    return { who: pair.who, method: 'POST', path: `/api/letters/${pair.id}/actions`, body: { kind: 'take' } };
  };
  const record = (context: Record<string, unknown>): Call => {
    const pair = context.pair as (typeof pairs)[number];
    return {
      who: pair.who,
      method: 'POST',
      path: `/api/letters/${pair.id}/actions`,
      body: { kind: 'record', text: 'ดำเนินการแล้ว แจ้งหน่วยงานที่เกี่ยวข้องทราบ', replyNumber: `ตย 0017.2/${pair.id}` },
    };
  };
  return { letters: pairs.length, sequence: [take, record] };
}

/** What a search for ๐๒๐๑ finds must hold 0201 in its reference: checked once before it is timed. */
async function checkThaiDigitSearch(base: string, admin: Person): Promise<string> {
  const response = await fetch(`${base}/api/letters?${new URLSearchParams({ q: '๐๒๐๑', state: LETTER_STATES.join(','), limit: '200' })}`, {
    headers: { authorization: `Bearer ${admin.token}` },
  });
  const page = (await response.json()) as {
    total: number;
    items: Array<{ reference: string | null; title: string | null; agency: string | null }>;
  };
  const wrong = page.items.filter((l) => ![l.reference, l.title, l.agency].some((t) => t && toArabicDigits(t).includes('0201')));
  if (response.status !== 200 || page.total === 0 || wrong.length) {
    throw new Error(`the search for ๐๒๐๑ answered ${response.status} with ${page.total} letters, ${wrong.length} of them without 0201`);
  }
  return `search for ๐๒๐๑ finds ${page.total} letters, each with 0201 in its reference`;
}

async function explain(pool: Pool, kind: Kind): Promise<string> {
  const call = kind.calls[0];
  const officer = (await findOfficer(pool, call.who.username))!;
  const statements = queueStatements(officer, kind.query!(call));
  const out: string[] = [`-- ${kind.name} (${call.who.username}: ${decodeURIComponent(call.path)})`];
  for (const [what, statement] of Object.entries({ items: statements.items, counts: statements.counts })) {
    // A filter of the open letters counts them in the items' statement.
    if (!statement) continue;
    const { rows } = await pool.query(`EXPLAIN (ANALYZE, BUFFERS) ${statement.text}`, statement.values);
    out.push(`-- ${what}`, ...rows.map((r) => r['QUERY PLAN'] as string));
  }
  return out.join('\n');
}

// ---- report ----

function machine(pool: Pool) {
  const lscpu = (() => {
    try {
      return execFileSync('lscpu', { encoding: 'utf8' });
    } catch {
      return '';
    }
  })();
  const model = /^Model name:\s*(.+)$/m.exec(lscpu)?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  return pool.query('SHOW server_version').then(({ rows }) => ({
    cpu: model,
    cores: os.cpus().length,
    memoryGiB: round(os.totalmem() / 2 ** 30, 1),
    node: process.version,
    postgres: rows[0].server_version as string,
  }));
}

const uptime = () => {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return `load average: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}`;
  }
};

function printRow(f: Figures) {
  const ms = f.ms ? `${String(f.ms.p50).padStart(8)} ${String(f.ms.p95).padStart(8)} ${String(f.ms.p99).padStart(8)}` : '-';
  const verdict = !f.target || !f.ms ? '' : f.ms.p95 < TARGET_P95_MS ? '  met' : '  NOT MET';
  console.log(
    `  ${f.name.padEnd(50)}${String(f.requests).padStart(6)}${String(f.failed).padStart(5)} ${ms}${String(f.requestsPerSecond).padStart(8)}` +
      `   ${f.load[0].toFixed(2)} -> ${f.load[1].toFixed(2)}${String(f.cpu.machineBusyPercent).padStart(6)}${String(f.cpu.elsewherePercentOfOneCore).padStart(6)}` +
      `${[f.cpu.msPerRequest.desk, f.cpu.msPerRequest.postgres, f.cpu.msPerRequest.bench].map((ms) => ms.toFixed(2).padStart(7)).join('')}${verdict}`,
  );
  if (f.failure) console.log(`    asked again: ${f.failure}`);
}

// ---- the run ----

/** A register of letters to measure: filled now, or kept by an earlier run (--reuse). */
async function register(options: Options, cleanup: Cleanup, now: Date) {
  let url = options.reuse;
  if (!url) {
    const database = await createScratchDatabase(options.postgres, runName('bench_desk'));
    if (options.keep) console.error(`bench: the scratch database is kept: ${database.url}`);
    else cleanup.push(() => database.drop());
    url = database.url;
  }
  // Planned as the desk's own connections plan (--explain shows the desk's plans).
  const pool = createPool(url, 4, SERVING_OPTIONS);
  cleanup.push(() => pool.end());
  if (options.reuse) {
    const people = await peopleOf(pool);
    const { rows } = await pool.query('SELECT state, count(*)::integer AS n FROM letter_work GROUP BY state');
    const states = Object.fromEntries(rows.map((r) => [r.state, r.n]));
    const letters = rows.reduce((sum, r) => sum + r.n, 0);
    console.error(`bench: reusing ${url}: ${letters} letters`);
    return { url, pool, people, filled: { letters, states } };
  }
  console.error(`bench: filling the register with ${options.letters} letters over 5 years...`);
  const people = await addPeople(pool);
  const filled = await fillLetters(pool, people, { count: options.letters, years: 5, now }, (done) => {
    if (done % 50_000 === 0 || done === options.letters) console.error(`bench:   ${done} letters`);
  });
  const { copy, work, vacuum } = filled.seconds;
  console.error(
    `bench: filled in ${round(copy + work + vacuum, 1)} s (COPY and indexes ${round(copy, 1)} s, states ${round(work, 1)} s, ` +
      `VACUUM ANALYZE ${round(vacuum, 1)} s): ${filled.assignments} assignments; ` +
      Object.entries(filled.states)
        .map(([s, n]) => `${s} ${n}`)
        .join(', '),
  );
  return { url, pool, people, filled };
}

async function run(options: Options, cleanup: Cleanup): Promise<void> {
  const now = new Date();
  console.error(`bench: ${uptime()}`);
  const { url, pool, people, filled } = await register(options, cleanup, now);

  const prefix = runName('bench_desk');
  cleanup.push(() => deleteRedisPrefix(options.redis, prefix));
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'saraban-bench-desk-'));
  cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
  const settingsFile = path.join(dir, 'saraban.yaml');
  writeFileSync(
    settingsFile,
    toYaml({
      agency: { name: 'สำนักงานจังหวัดตัวอย่าง', nameEn: 'Example Provincial Office', domain: 'example.go.th' },
      books: BOOKS.map((b, i) => ({ ...b, addresses: [i === 0 ? CENTRAL_ADDRESS : `circular@example.go.th`] })),
      // Plain HTTP on one machine; the API is called with tokens.
      desk: { host: '127.0.0.1', port, secureCookies: false },
      database: { url },
      redis: { url: options.redis, prefix },
      routing: { centralUnit: CENTRAL_UNIT },
      log: { level: 'warn' },
    }),
  );
  writeFileSync(path.join(dir, 'agencies.csv'), 'match,name\nmoi.go.th,กระทรวงมหาดไทย\n');
  const env = settingsEnv(settingsFile);
  const desk = startChild('desk', SARABAN, ['desk'], env);
  cleanup.push(() => stopChild(desk));
  await waitForPort(desk, port, 60_000);
  const base = `http://127.0.0.1:${port}`;

  const admin = people.byUsername.get('admin')!;
  console.error(`bench: ${await checkThaiDigitSearch(base, admin)}`);
  const chosen = kinds(people, now).filter((k) => !options.only.length || options.only.some((w) => k.name.includes(w)));
  const cpu = ourCpu(desk, new URL(url).pathname.slice(1));
  cleanup.push(async () => cpu.stop());
  const measureOptions = (target: boolean, amount = options.requests) => ({ amount, connections: options.connections, target, cpu });

  const about = await machine(pool);
  console.log('');
  console.log(`saraban-gateway desk bench: ${filled.letters} letters over 5 years, ${people.all.length} officers in ${UNITS.length} units`);
  console.log(`  machine: ${about.cores} cores, ${about.cpu}, ${about.memoryGiB} GiB, Node ${about.node}, PostgreSQL ${about.postgres}`);
  console.log(
    `  ${options.requests} requests of each kind from ${options.connections} concurrent clients (autocannon), after 50 unmeasured`,
  );
  console.log("  load: the 1-minute load average (uptime) at the start and end of each kind, this bench's requests in flight included;");
  console.log(
    "  busy%: the machine's CPU busy over the kind; else%: CPU (% of one core) used by others than the desk, the bench and its PostgreSQL backends",
  );
  console.log('  desk, pg, bench: CPU ms a request in the desk process, the PostgreSQL backends serving it, and this bench (autocannon)');
  console.log('');
  console.log(
    `  ${'kind'.padEnd(50)}${'reqs'.padStart(6)}${'fail'.padStart(5)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'p99 ms'.padStart(8)}${'req/s'.padStart(8)}   ${'load'.padEnd(12)}${'busy%'.padStart(6)}${'else%'.padStart(6)}${'desk'.padStart(7)}${'pg'.padStart(7)}${'bench'.padStart(7)}`,
  );
  const results: Figures[] = [];
  for (const kind of chosen) {
    // Unmeasured: the desk's and PostgreSQL's caches and plans warmed for this kind.
    await measure(base, kind.name, measureOptions(kind.target, 50), [inTurn(kind.calls)]);
    const figures = await measure(base, kind.name, measureOptions(kind.target), [inTurn(kind.calls)]);
    if (figures.failed) figures.failure = await answerTo(base, kind.calls[0]);
    printRow(figures);
    results.push(figures);
  }
  const plans: string[] = [];
  if (options.explain) for (const kind of chosen) plans.push(await explain(pool, kind));

  if (!options.only.length || options.only.some((w) => 'action round trip'.includes(w))) {
    const actions = await actionCalls(pool, people, Math.floor(options.requests / 2));
    // autocannon shares the requests out among its clients: each gets whole pairs, and no
    // client is left without a letter.
    const connections = Math.min(options.connections, actions.letters);
    const letters = connections * Math.floor(actions.letters / connections);
    const figures = await measure(
      base,
      `action round trip: take, then record (${letters} letters)`,
      { amount: 2 * letters, connections, target: false, cpu },
      actions.sequence,
    );
    printRow(figures);
    results.push(figures);
  }
  console.log('');
  console.log(`  ${uptime()}`);
  const missed = results.filter((r) => r.target && r.ms && r.ms.p95 >= TARGET_P95_MS);
  console.log(
    `  target: queue and search p95 under ${TARGET_P95_MS} ms: ${missed.length ? `NOT MET by ${missed.length} of ${results.filter((r) => r.target).length} kinds` : 'MET'}`,
  );
  if (plans.length) console.log(['', ...plans].join('\n\n'));
  console.log('');
  console.log(
    JSON.stringify({
      bench: 'saraban-gateway desk',
      at: new Date().toISOString(),
      options: { letters: options.letters, requests: options.requests, connections: options.connections },
      machine: about,
      fill: filled,
      results,
    }),
  );
}

runBench(async (cleanup) => {
  const options = parseOptions(process.argv.slice(2));
  if (!options) {
    console.log(USAGE);
    return 0;
  }
  await run(options, cleanup);
  return 0;
});
