// Fills a scratch register for the desk bench: the office's units and officers through the
// register's own functions (each with its audit event), an API token for every officer, then
// years of letters streamed in by COPY, shaped as the gateway and the desk write them: the
// message kept (its row; the bytes are not needed), the letter registered with its gapless
// number per book and Buddhist-era year, its work row made by the letter_work_start trigger and
// then moved to the state the office left it in, and the assignments that got it there.
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import { newApiToken, secretHash } from '../desk/auth/secret';
import { bangkokDate, buddhistYear, toThaiDigits } from '../letter/calendar';
import { TO_COMPLETE } from '../letter/letter';
import { deadlineOf } from '../letter/routing';
import { normaliseReference, THAI_MONTHS } from '../letter/thai';
import type { LetterState } from '../letter/transitions';
import type { Pool } from '../registry/db';
import { addOfficer, addUnit, createToken } from '../registry/officers';
import { AGENCIES, CENTRAL_UNIT, DIVISIONS, officerName, randomSource, titleOf, UNITS, type Random } from './desk-office';

export const BOOKS = [
  { code: 'RB', name: 'ทะเบียนหนังสือรับ' },
  // Circulars (หนังสือเวียน) have a book of their own.
  { code: 'RBW', name: 'ทะเบียนรับหนังสือเวียน' },
] as const;

export interface Person {
  id: number;
  username: string;
  unitCode: string | null;
  role: 'officer' | 'supervisor' | 'admin';
  token: string;
}

export interface People {
  all: Person[];
  byUsername: Map<string, Person>;
  /** Officers (role officer) of each unit, by unit code; the head (supervisor) of each. */
  staff: Map<string, Person[]>;
  head: Map<string, Person>;
  unitIds: Map<string, number>;
}

const change = () => ({ actor: 'operator:bench', at: new Date() });

/** The units and 100 officers: an admin, a head (supervisor) for each unit, and its staff. */
export async function addPeople(pool: Pool): Promise<People> {
  for (const u of UNITS) await addUnit(pool, { code: u.code, name: u.name, parentCode: u.parent }, change());
  let n = 0;
  const add = (username: string, role: Person['role'], unitCode: string | null, secretClearance = false) =>
    addOfficer(pool, { username, name: officerName(n++), role, ...(unitCode ? { unitCode } : {}), secretClearance }, change());
  await add('admin', 'admin', null);
  for (const u of UNITS) {
    const code = u.code.toLowerCase();
    await add(`head.${code}`, 'supervisor', u.code, u.code === 'OFFICE' || u.code === CENTRAL_UNIT);
    for (let i = 1; i <= u.staff; i++) await add(`${code}.${i}`, 'officer', u.code, u.code === CENTRAL_UNIT && i <= 2);
  }
  return peopleOf(pool);
}

/** The office's people as the register has them (filled now or by an earlier run), each given a new API token. */
export async function peopleOf(pool: Pool): Promise<People> {
  const people: People = { all: [], byUsername: new Map(), staff: new Map(), head: new Map(), unitIds: new Map() };
  for (const u of (await pool.query('SELECT id, code FROM unit')).rows) people.unitIds.set(u.code, u.id);
  const { rows } = await pool.query(
    `SELECT o.id, o.username, o.role, u.code AS unit_code FROM officer o LEFT JOIN unit u ON u.id = o.unit_id
      WHERE o.disabled_at IS NULL ORDER BY o.id`,
  );
  for (const r of rows) {
    const token = newApiToken();
    await createToken(pool, r.username, secretHash(token), 'bench', change());
    const person: Person = { id: r.id, username: r.username, unitCode: r.unit_code, role: r.role, token };
    people.all.push(person);
    people.byUsername.set(person.username, person);
    if (person.role === 'supervisor' && person.unitCode) people.head.set(person.unitCode, person);
    if (person.role === 'officer' && person.unitCode)
      people.staff.set(person.unitCode, [...(people.staff.get(person.unitCode) ?? []), person]);
  }
  return people;
}

// ---- COPY ----

/** A value as COPY's text format writes it. */
function copyValue(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  const text = v instanceof Date ? v.toISOString() : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return text.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

async function copyRows(pool: Pool, table: string, columns: readonly string[], rows: unknown[][]): Promise<void> {
  const client = await pool.connect();
  try {
    const lines = function* () {
      for (const row of rows) yield row.map(copyValue).join('\t') + '\n';
    };
    await pipeline(Readable.from(lines()), client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`)));
  } finally {
    client.release();
  }
}

// ---- letters ----

const INBOUND_COLUMNS = ['id', 'received_at', 'edge', 'mail_from', 'rcpt_to', 'book', 'size', 'sha256', 'processed_at', 'outcome'];
const LETTER_COLUMNS = [
  'id',
  'inbound_id',
  'book',
  'year',
  'number',
  'registered_at',
  'message_id',
  'from_address',
  'from_name',
  'subject',
  'attachments',
  'reference',
  'reference_normalised',
  'circular',
  'letter_date_written',
  'letter_date',
  'title',
  'addressee',
  'urgency',
  'urgency_deadline',
  'secrecy',
  'agency',
  'agency_source',
  'authenticity',
  'suspect',
  'restricted',
  'flags',
];
const WORK_COLUMNS = ['letter_id', 'state', 'wait_until', 'deadline', 'updated_at'];
const ASSIGNMENT_COLUMNS = [
  'letter_id',
  'unit_id',
  'officer_id',
  'purpose',
  'source',
  'rule',
  'assigned_by',
  'note',
  'created_at',
  'ended_at',
  'ended_how',
  'ended_by',
];

const DAY = 86_400_000;
const HOUR = 3_600_000;
const URGENCIES = [
  { urgency: null, weight: 80 },
  { urgency: 'ด่วน', weight: 8 },
  { urgency: 'ด่วนมาก', weight: 6 },
  { urgency: 'ด่วนที่สุด', weight: 4 },
  { urgency: 'ด่วนภายใน', weight: 2 },
];
const ADDRESSEES = ['ผู้ว่าราชการจังหวัดตัวอย่าง', 'ผู้ว่าราชการจังหวัดตัวอย่าง', 'ปลัดจังหวัดตัวอย่าง', 'หัวหน้าสำนักงานจังหวัดตัวอย่าง'];
const CENTRAL_ADDRESS = 'saraban@example.go.th';

/**
 * Where letters of this age (days since registration) stand, as an office that keeps up with
 * its mail leaves them: the new ones open, the old ones done, a few left behind.
 */
function stateOf(random: Random, ageDays: number): LetterState {
  const table: Array<[LetterState, number]> =
    ageDays < 2
      ? [
          ['registered', 1],
          ['assigned', 60],
          ['in_progress', 30],
          ['done', 9],
        ]
      : ageDays < 30
        ? [
            ['assigned', 20],
            ['in_progress', 30],
            ['waiting', 10],
            ['done', 37],
            ['returned', 2],
            ['annulled', 1],
          ]
        : ageDays < 180
          ? [
              ['assigned', 3],
              ['in_progress', 5],
              ['waiting', 2],
              ['done', 86],
              ['returned', 2.5],
              ['annulled', 1.5],
            ]
          : [
              ['assigned', 0.5],
              ['in_progress', 1],
              ['waiting', 0.5],
              ['done', 94.5],
              ['returned', 2],
              ['annulled', 1.5],
            ];
  return random.weighted(table.map(([state, weight]) => ({ state, weight }))).state;
}

/** Registration times: `count` letters spread over the working days (Monday to Friday, 08:30-16:30 Bangkok) of `years` up to `now`. */
function registrationTimes(random: Random, count: number, years: number, now: Date): Date[] {
  const days: number[] = [];
  // Midnight Bangkok (17:00 UTC the day before) of each day.
  const today = Date.parse(`${bangkokDate(now)}T00:00:00+07:00`);
  for (let day = today - Math.round(years * 365.25) * DAY; day <= today; day += DAY) {
    const weekday = new Date(day + 7 * HOUR).getUTCDay();
    if (weekday !== 0 && weekday !== 6) days.push(day);
  }
  const times: Date[] = [];
  for (let d = 0; d < days.length; d++) {
    const onThisDay = Math.floor(((d + 1) * count) / days.length) - Math.floor((d * count) / days.length);
    const at = Array.from({ length: onThisDay }, () => days[d] + 8.5 * HOUR + random.int(8 * HOUR)).sort((a, b) => a - b);
    // Today's letters so far only.
    for (const t of at) times.push(new Date(Math.min(t, now.getTime() - 1_000 - random.int(HOUR))));
  }
  return times.sort((a, b) => a.getTime() - b.getTime());
}

const hex = (random: Random, length: number) => Array.from({ length }, () => '0123456789abcdef'[random.int(16)]).join('');

/** ลงวันที่ as letters write it: 20 พฤศจิกายน 2569. */
function writtenDate(isoDate: string, thaiDigits: boolean): string {
  const [y, m, d] = isoDate.split('-').map(Number);
  const text = `${d} ${THAI_MONTHS[m - 1]} ${y + 543}`;
  return thaiDigits ? toThaiDigits(text) : text;
}

export interface FillResult {
  letters: number;
  states: Record<string, number>;
  assignments: number;
  seconds: { copy: number; work: number; vacuum: number };
}

/** The letters: `count` over `years` up to `now`, in batches of COPY. */
export async function fillLetters(
  pool: Pool,
  people: People,
  options: { count: number; years: number; now: Date; seed?: number },
  progress: (done: number) => void = () => undefined,
): Promise<FillResult> {
  const random = randomSource(options.seed ?? 15);
  const { now } = options;
  const times = registrationTimes(random, options.count, options.years, now);
  const counters = new Map<string, number>();
  const turns = new Map<string, number>();
  const states: Record<string, number> = {};
  let assignments = 0;
  const started = Date.now();
  // The indexes of the letters, their search rows (made by a trigger) and their assignments
  // (but those of their keys and unique constraints) are built once after the COPY rather than
  // grown row by row: the same indexes, from their own definitions.
  const { rows: indexes } = await pool.query(
    `SELECT indexrelid::regclass::text AS name, pg_get_indexdef(indexrelid) AS definition
       FROM pg_index
      WHERE indrelid IN ('letter'::regclass, 'letter_words'::regclass, 'open_words'::regclass, 'assignment'::regclass)
        AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = indexrelid)`,
  );
  for (const index of indexes) await pool.query(`DROP INDEX ${index.name}`);
  await pool.query(
    'CREATE UNLOGGED TABLE bench_work (letter_id bigint, state text, wait_until date, deadline timestamptz, updated_at timestamptz)',
  );

  const inTurn = (unit: string): Person | null => {
    const staff = people.staff.get(unit) ?? [];
    if (!staff.length) return null;
    const turn = (turns.get(unit) ?? -1) + 1;
    turns.set(unit, turn);
    return staff[turn % staff.length];
  };
  const unitId = (code: string) => people.unitIds.get(code)!;
  const later = (t: number, by: number) => new Date(Math.min(t + by, now.getTime()));

  const BATCH = 5_000;
  for (let first = 0; first < times.length; first += BATCH) {
    const inbound: unknown[][] = [];
    const letters: unknown[][] = [];
    const work: unknown[][] = [];
    const assigned: unknown[][] = [];
    for (let i = first; i < Math.min(first + BATCH, times.length); i++) {
      const id = i + 1;
      const at = times[i];
      const t = at.getTime();
      const be = buddhistYear(at);
      const agency = random.weighted(AGENCIES);
      const circular = random.chance(0.1);
      const book = circular && random.chance(0.8) ? 'RBW' : 'RB';
      const number = (counters.get(`${book}:${be}`) ?? 0) + 1;
      counters.set(`${book}:${be}`, number);
      const { title, unit: titleUnit } = titleOf(random, be);
      const urgency = random.weighted(URGENCIES).urgency;
      const urgencyDeadline = urgency === 'ด่วนภายใน' ? bangkokDate(new Date(t + (7 + random.int(14)) * DAY)) : null;
      const secrecy = random.chance(0.015) ? (random.chance(0.3) ? 'ลับมาก' : 'ลับ') : null;
      const suspect = random.chance(0.002);
      const thaiDigits = random.chance(0.4);
      // A letter whose ที่ and ลงวันที่ could not be read: the clerk completes it later.
      const unread = random.chance(0.01);
      const letterDate = bangkokDate(new Date(t - random.int(6) * DAY));
      const refText = `${agency.code} ${random.pick(agency.divisions)}/${circular ? 'ว ' : ''}${1 + random.int(9999)}`;
      const reference = unread ? null : `ที่ ${thaiDigits ? toThaiDigits(refText) : refText}`;
      const dateWritten = unread ? null : writtenDate(letterDate, thaiDigits);
      const subject = [urgency, reference, dateWritten && `ลงวันที่ ${dateWritten}`, `เรื่อง ${title}`].filter(Boolean).join(' ');
      const inboundId = randomUUID();
      const sha256 = hex(random, 64);
      const size = 80_000 + random.int(400_000);
      inbound.push([
        inboundId,
        new Date(t - 2_000),
        'smtp',
        `saraban@${agency.domain}`,
        `{${CENTRAL_ADDRESS}}`,
        book,
        size + 4_000,
        hex(random, 64),
        at,
        'registered',
      ]);
      letters.push([
        id,
        inboundId,
        book,
        be,
        number,
        at,
        `<${inboundId}@${agency.domain}>`,
        `saraban@${agency.domain}`,
        agency.name,
        subject,
        [{ filename: `${toThaiDigits(String(number))}.pdf`, contentType: 'application/pdf', size, sha256 }],
        reference,
        reference && normaliseReference(reference),
        circular,
        dateWritten,
        unread ? null : letterDate,
        title,
        random.pick(ADDRESSEES),
        urgency,
        urgencyDeadline,
        secrecy,
        agency.name,
        'directory',
        suspect
          ? { verdict: 'forged', spf: 'fail', dkim: 'none', dmarc: 'fail' }
          : { verdict: random.chance(0.7) ? 'authentic' : 'unverified', spf: 'pass', dkim: 'none', dmarc: 'none' },
        suspect,
        secrecy !== null,
        unread ? [TO_COMPLETE] : [],
      ]);

      // What the office did with it.
      const state = stateOf(random, (now.getTime() - t) / DAY);
      states[state] = (states[state] ?? 0) + 1;
      let updated = at;
      const assign = (
        unit: string | null,
        officer: Person | null,
        purpose: 'act' | 'know',
        by: Person | null,
        rule: string | null,
        from: Date,
      ) => {
        const row: unknown[] = [
          id,
          unit && unitId(unit),
          officer?.id ?? null,
          purpose,
          by ? 'officer' : 'routing',
          rule,
          by?.id ?? null,
          by && purpose === 'act' ? 'ดำเนินการตามระเบียบ' : null,
          from,
          null,
          null,
          null,
        ];
        assigned.push(row);
        updated = from;
        return { end: (how: string, who: Person, when: Date) => ((row[9] = when), (row[10] = how), (row[11] = who.id), (updated = when)) };
      };
      if (state !== 'registered') {
        // Routing: the title's unit, or the central registry (งานสารบรรณกลาง) for letters no rule placed.
        const viaCentral = titleUnit === CENTRAL_UNIT || random.chance(0.35);
        const unit = viaCentral ? CENTRAL_UNIT : titleUnit;
        const rule = viaCentral ? null : `เรื่องของ${UNITS.find((u) => u.code === unit)!.name}`;
        const routedTo = inTurn(unit);
        const routed = assign(unit, routedTo, 'act', null, rule, new Date(t + 1_000));
        let act = routed;
        let actUnit = unit;
        let holder = routedTo ?? people.head.get(unit)!;
        const forwardAt = later(t, (1 + random.int(4)) * HOUR);
        const target = titleUnit === CENTRAL_UNIT ? random.pick(['HR', 'FIN', 'PLAN-POLICY', 'SOCIAL-EDU']) : titleUnit;
        const stillAtCentral = state === 'assigned' && random.chance(0.3);
        if (viaCentral && !stillAtCentral) {
          // The clerk passes it on to the unit as a whole; circulars go round to know as well.
          routed.end('forwarded', holder, forwardAt);
          act = assign(target, null, 'act', holder, null, forwardAt);
          actUnit = target;
          if (circular) {
            for (const other of [...new Set([random.pick(DIVISIONS), random.pick(DIVISIONS), 'SOCIAL-EDU'])].filter((u) => u !== target)) {
              const know = assign(other, null, 'know', holder, null, forwardAt);
              if (state !== 'annulled' && (now.getTime() - t) / DAY > 7)
                know.end('acknowledged', people.head.get(other)!, later(t, 3 * DAY));
            }
          }
          if (state !== 'assigned') {
            const taker = inTurn(target)!;
            const takenAt = later(forwardAt.getTime(), (1 + random.int(20)) * HOUR);
            act.end('taken', taker, takenAt);
            act = assign(target, taker, 'act', taker, null, takenAt);
            holder = taker;
          }
        }
        const closedAt = later(t, (1 + random.int(20)) * DAY);
        if (state === 'done') act.end('done', holder, closedAt);
        if (state === 'returned') act.end('returned', holder, closedAt);
        if (state === 'annulled') act.end('annulled', people.head.get(actUnit)!, closedAt);
      }
      work.push([
        id,
        state,
        state === 'waiting' ? bangkokDate(new Date(now.getTime() + (1 + random.int(30)) * DAY)) : null,
        state === 'registered' ? null : deadlineOf(urgencyDeadline),
        updated,
      ]);
    }
    await copyRows(pool, 'inbound', INBOUND_COLUMNS, inbound);
    await copyRows(pool, 'letter', LETTER_COLUMNS, letters);
    await copyRows(pool, 'bench_work', WORK_COLUMNS, work);
    await copyRows(pool, 'assignment', ASSIGNMENT_COLUMNS, assigned);
    assignments += assigned.length;
    progress(Math.min(first + BATCH, times.length));
  }
  await pool.query(`SET maintenance_work_mem = '256MB'`);
  // The open letters' search rows (migration 24) get theirs once most letters are closed (below).
  const openWords = (index: { name: string }) => index.name.startsWith('open_words');
  for (const index of indexes.filter((i) => !openWords(i))) await pool.query(index.definition);
  const copied = Date.now();

  // The work rows the trigger made, moved to where the office left each letter.
  await pool.query(
    `UPDATE letter_work w SET state = b.state, wait_until = b.wait_until, deadline = b.deadline, updated_at = b.updated_at
       FROM bench_work b WHERE b.letter_id = w.letter_id`,
  );
  await pool.query('DROP TABLE bench_work');
  // The register goes on from here: the next letter gets the next number and id.
  await pool.query(
    `INSERT INTO book_counter (book, year, last_number, last_registered_at)
     SELECT book, year, max(number), max(registered_at) FROM letter GROUP BY book, year`,
  );
  await pool.query(`SELECT setval(pg_get_serial_sequence('letter', 'id'), (SELECT max(id) FROM letter))`);
  const worked = Date.now();
  // As autovacuum would have left a register of years: statistics, and the visibility map that index-only scans read.
  // The counts per state the triggers appended as the letters moved (migrations 19 and 21), folded as the reconciler folds them.
  await pool.query('SELECT compact_view_counts()');
  await pool.query('VACUUM (ANALYZE) inbound, letter, letter_words, letter_work, assignment, letter_key, view_count, view_overlap');
  // The open letters' search rows (migration 24): registering every letter of five years, then
  // closing most, leaves that table at the size of 200,000 rows with its 7,000 open ones strewn
  // through it. An office's never holds five years open at once: autovacuum frees each closed
  // letter's row for the next one, and the table stays the size of its open letters. So here.
  await pool.query('VACUUM (FULL, ANALYZE) open_words');
  for (const index of indexes.filter(openWords)) await pool.query(index.definition);
  await pool.query('RESET maintenance_work_mem');
  return {
    letters: times.length,
    states,
    assignments,
    seconds: { copy: (copied - started) / 1000, work: (worked - copied) / 1000, vacuum: (Date.now() - worked) / 1000 },
  };
}
