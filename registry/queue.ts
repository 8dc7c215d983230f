import { scopeOf, type Officer, type Scope } from '../letter/access';
import { normaliseThaiText } from '../letter/thai';
import { LETTER_STATES, OPEN_STATES, STATE_NAMES, type LetterState } from '../letter/transitions';
import { prepared, type Pool } from './db';
import { TO_COMPLETE, type Letter } from '../letter/letter';
import { URGENCY_RANK, type UrgencyLevel } from '../letter/metadata';
import { letterFromJson } from './letters';
import { STAMP_JSON, stampFromJson, type StampRecord } from './stamps';
import { keyIs, SqlParams, viewKeys, visibleTo } from './visibility';

// What the desk reads: an officer's queue, one letter in full, and the supervisor's list of
// messages held or suspect. Every query finds only what the officer may see (visibleTo in its
// WHERE): a letter outside their view is not fetched, so it is not counted or leaked either.

export interface QueueQuery {
  /** The open states (registered, assigned, in progress, waiting) when not given. */
  states?: readonly LetterState[];
  urgencies?: readonly string[];
  /** Received (registered) on or after this date, Bangkok time: YYYY-MM-DD. */
  receivedFrom?: string;
  /** ...and on or before this one. */
  receivedTo?: string;
  /** จาก, as the register names the agency. */
  agency?: string;
  book?: string;
  /** Words to find in the reference, title or agency; every word must be found. */
  search?: string;
  /** Only letters this officer holds by name (their own queue), not their unit's or those below. */
  mine?: boolean;
  /** The register's year (Buddhist era). */
  year?: number;
  /** urgency (the queue's order, when not given) or number: the register's own order, book, year and number. */
  order?: 'urgency' | 'number';
  /**
   * Count every state of a filtered query, however many letters (the register's page). Otherwise
   * a filtered query counts its open states, and a closed state only when asked, up to COUNT_CAP.
   */
  exactCounts?: boolean;
  /** Where a capped count stops: COUNT_CAP when not given (tests give a small one). */
  countCap?: number;
  limit: number;
  offset: number;
}

export interface Person {
  id: number;
  username: string;
  name: string;
}

export interface UnitRef {
  id: number;
  code: string;
  name: string;
}

export interface QueueItem {
  id: number;
  book: string;
  year: number;
  number: number;
  registeredAt: Date;
  reference: string | null;
  title: string | null;
  subject: string;
  /** ลงวันที่: the date written on the letter, read as a date (CE), and as it was written. */
  letterDate: string | null;
  letterDateWritten: string | null;
  agency: string | null;
  /** ถึง: to whom the letter is addressed (เรียน). */
  addressee: string | null;
  urgency: string | null;
  secrecy: string | null;
  restricted: boolean;
  suspect: boolean;
  circular: boolean;
  /** No ที่ or ลงวันที่ could be read: a clerk is to complete the entry (letter/letter.ts TO_COMPLETE). */
  toComplete: boolean;
  attachmentCount: number;
  state: LetterState;
  /** The state as officers read it. */
  stateName: string;
  waitUntil: string | null;
  deadline: Date | null;
  /** Who holds the open act assignment: a unit, an officer, or nobody. */
  assignee: { unit: UnitRef | null; officer: Person | null } | null;
}

export interface QueuePage {
  items: QueueItem[];
  /** Letters matching the query, over every page: at least this many when one of its states is capped. */
  total: number;
  /**
   * Letters matching the query but its states, per state: the tabs of the queue. Every state of
   * an unfiltered query, exactly. A filtered one (a search, an agency...): its open states, and a
   * closed state when asked (done, returned, annulled: years of letters, which a filter would
   * have to read all of to count), each up to COUNT_CAP; null for a state not counted.
   */
  counts: Record<LetterState, number | null>;
  /** The states whose count stopped at COUNT_CAP: they hold more letters than counted. */
  capped: LetterState[];
}

/**
 * Where a filtered query stops counting a state. A clerk reads "1,000+" as well as the number
 * (mail clients and issue trackers show theirs so); counting a common word's 20,000 matches of
 * five years cost each search more than the rest of its answer.
 */
export const COUNT_CAP = 1000;

/** A page of the queue, unless the caller asks for another size (GET /api/letters limit). */
export const PAGE_SIZE = 50;

/** Orders of a listing: the queue's, and the register's (UNIQUE (book, year, number) serves it). */
const ORDERS = {
  urgency: 'w.urgency_rank DESC, w.deadline ASC NULLS LAST, w.received_at, w.letter_id',
  number: 'l.book, l.year, l.number',
} as const;

/** What a page reads of each letter's work row: its place in the queue's order, and its state. */
const PAGE_COLUMNS = 'w.letter_id, w.state, w.wait_until, w.deadline, w.urgency_rank, w.received_at';

/**
 * A statement and its parameters, as pool.query takes them; with a name when it is to be
 * prepared on each connection (registry/db.ts prepared).
 */
export interface Statement {
  name?: string;
  text: string;
  values: unknown[];
}

/**
 * The two statements of an officer's queue page: its items, and the counts per state. Apart
 * from listQueue so that the bench can EXPLAIN the very statements the desk runs.
 */
export function queueStatements(
  officer: Officer,
  query: QueueQuery,
): {
  items: Statement;
  /** Null when the items' rows carry the counts (column counts, JSON), found with them. */
  counts: Statement | null;
  states: readonly LetterState[];
  /** The states the counts are of (the others are not counted), and where a closed one stops (null: exact). */
  counted: readonly LetterState[];
  cap: number | null;
} {
  const scope = scopeOf(officer);
  // The view and what can be read on the work row are asked of letter_work (or, for a search of
  // the open letters, of their search rows' copies, open_words), so that counting needs the
  // register's wide rows only for a filter on the register's year.
  const work = { id: 'w.letter_id', restricted: 'w.restricted' };
  const narrowing = (params: SqlParams, states: readonly LetterState[], wordsHere = false) => {
    const onLetter = filters(query, params, { open: states.every((s) => OPEN_STATES.includes(s)), wordsHere });
    const mine = query.mine
      ? [
          `EXISTS (SELECT 1 FROM assignment m WHERE m.letter_id = w.letter_id AND m.ended_at IS NULL AND m.officer_id = ${params.add(officer.id)})`,
        ]
      : [];
    return { conditions: [...onLetter.work, ...onLetter.letter, ...mine], withLetter: onLetter.letter.length > 0 };
  };
  const withLetter = (needed: boolean) => (needed ? ' JOIN letter l ON l.id = w.letter_id' : '');

  // In the register's order and each once, whatever the caller wrote: the states are written
  // into the statement, which is prepared under a name of its text.
  const states = query.states?.length ? LETTER_STATES.filter((s) => query.states!.includes(s)) : OPEN_STATES;
  const closedAsked = states.filter((s) => !OPEN_STATES.includes(s));
  const order = ORDERS[query.order ?? 'urgency'];
  // Whether the query filters, asked without adding its values to a statement's.
  const filtered = narrowing(new SqlParams(), states).conditions.length > 0;
  // A search of the open letters (as the queue asks it) finds them once, for its page and its
  // counts alike, in one statement: both would otherwise compare every candidate the trigram index
  // gives. They are found on the open letters' search rows (open_words, migration 24), which carry
  // what the queue reads of the work row. (Not the other filters: their page is read in the
  // queue's order from an index, the first 50 alone, and their counts from another.)
  const searched = words(query.search).length;
  const shared = searched > 0 && !query.exactCounts && query.order !== 'number' && closedAsked.length === 0;

  // The page's bounds are written into the statement, not passed: PostgreSQL plans a LIMIT it
  // does not know for a tenth of the rows, finds that plan dearer than one for 50, and so plans
  // a prepared page anew at every request. Only the first page of the usual size is prepared
  // (below): each other bound would be a statement more on every connection.
  const bounds = `LIMIT ${count(query.limit)} OFFSET ${count(query.offset)}`;
  const firstPage = query.limit === PAGE_SIZE && query.offset === 0;

  const params = new SqlParams();
  const inStates = stateArray(states);
  let found = '';
  let page: string;
  if (shared) {
    const narrowed = narrowing(params, OPEN_STATES, true);
    const where = [visibleTo(scope, work, params, { states: stateArray(OPEN_STATES), listed: true }), ...narrowed.conditions].join(' AND ');
    found = `WITH found AS MATERIALIZED (
               SELECT ${PAGE_COLUMNS} FROM open_words w${withLetter(narrowed.withLetter)} WHERE ${where}) `;
    page = `SELECT ${PAGE_COLUMNS} FROM found w WHERE w.state = ANY(${inStates})
             ORDER BY ${order} ${bounds}`;
  } else if (!filtered && query.order !== 'number' && !viewKeys(scope).counted) {
    page = keyedPage(scope, params, inStates, bounds);
  } else {
    const narrowed = narrowing(params, states);
    // The view is asked for letters in these states only: an officer's open letters are a short list.
    const visible = visibleTo(scope, work, params, { states: inStates, walk: !filtered && query.order !== 'number' });
    const where = [visible, ...narrowed.conditions, `w.state = ANY(${inStates})`].join(' AND ');
    // The page's letters are found first, on the work rows (and the register's only when a filter
    // or the order asks what the letter says), and only those are read in full: the register's
    // rows are wide, and a narrow view walks many open letters before it has a page of its own.
    page = `SELECT ${PAGE_COLUMNS} FROM letter_work w${withLetter(narrowed.withLetter || query.order === 'number')}
             WHERE ${where}
             ORDER BY ${order}
             ${bounds}`;
  }
  const itemsOf = (position: string) =>
    `SELECT l.id, l.book, l.year, l.number, l.registered_at, l.reference, l.title, l.subject,
            to_char(l.letter_date, 'YYYY-MM-DD') AS letter_date, l.letter_date_written, l.agency, l.addressee, l.urgency, l.secrecy,
            l.restricted, l.suspect, l.circular, l.flags ? ${params.add(TO_COMPLETE)} AS to_complete,
            jsonb_array_length(l.attachments) AS attachment_count,
            w.state, to_char(w.wait_until, 'YYYY-MM-DD') AS wait_until, w.deadline,
            u.id AS unit_id, u.code AS unit_code, u.name AS unit_name, o.id AS officer_id, o.username, o.name AS officer_name${position}
       FROM (${page}) w JOIN letter l ON l.id = w.letter_id
       LEFT JOIN assignment a ON a.letter_id = w.letter_id AND a.purpose = 'act' AND a.ended_at IS NULL
       LEFT JOIN unit u ON u.id = a.unit_id
       LEFT JOIN officer o ON o.id = a.officer_id
      ORDER BY ${order}`;
  const items = {
    // Shared, the one row of counts is joined to the page's rows (or to none, when the page is empty).
    text: shared
      ? `${found}SELECT i.*, c.counts
           FROM (SELECT coalesce(json_object_agg(f.state, f.n), '{}') AS counts
                   FROM (SELECT state, count(*)::integer AS n FROM found GROUP BY state) f) c
           LEFT JOIN LATERAL (${itemsOf(`, row_number() OVER (ORDER BY ${order}) AS position`)}) i ON true
          ORDER BY i.position`
      : itemsOf(''),
    values: params.values,
  };

  // The counts: kept, for the view unfiltered; counted, for a filter: every state at once when
  // asked to be exact, otherwise the open states at once and each closed state asked on its own,
  // up to COUNT_CAP (each with its own plan: a closed state's letters are read until the cap).
  const countParams = new SqlParams();
  const countIn = (inThese: readonly LetterState[]) => {
    const counted = narrowing(countParams, inThese);
    const these = stateArray(inThese);
    const where = [visibleTo(scope, work, countParams, { states: these }), ...counted.conditions, `w.state = ANY(${these})`];
    return `FROM letter_work w${withLetter(counted.withLetter)} WHERE ${where.join(' AND ')}`;
  };
  const cap = query.countCap ?? COUNT_CAP;
  const counts = {
    text:
      !filtered
        ? keptCounts(scope, countParams)
        : query.exactCounts
          ? `SELECT w.state, count(*)::integer AS n ${countIn(LETTER_STATES)} GROUP BY w.state`
          : [
              `SELECT w.state, count(*)::integer AS n ${countIn(OPEN_STATES)} GROUP BY w.state`,
              ...closedAsked.map(
                (state) => `SELECT '${state}', count(*)::integer FROM (SELECT 1 ${countIn([state])} LIMIT ${countParams.add(cap + 1)}) c`,
              ),
            ].join(' UNION ALL '),
    values: countParams.values,
  };
  // The queue's requests ask a bounded set of statements (a kind of view, the filters given,
  // the states, the count of words searched) with other values: prepared, each is parsed once on
  // a connection, and PostgreSQL plans it again for its values only while that plan is not found
  // cheaper than one made without them (planning an officer's page cost more than running it; a
  // search's, as much). Not prepared: a search in the closed states, whose plan turns on its
  // words (a word found nowhere is best looked up in the trigram index, a common one by walking
  // the officer's letters), and a search of many words, each count of words being a statement of
  // its own that every connection would keep.
  const planFor = searched > 3 || (searched > 0 && closedAsked.length > 0);
  const prepare = (statement: Statement, bounded = false) => (planFor || (bounded && !firstPage) ? statement : prepared(statement));
  const exact = !filtered || query.exactCounts === true;
  return {
    items: prepare(items, true),
    counts: shared ? null : prepare(counts),
    states,
    counted: exact ? LETTER_STATES : [...OPEN_STATES, ...closedAsked],
    cap: exact ? null : cap,
  };
}

/**
 * The states as an array for `= ANY(...)`, written out rather than a parameter: the open ones as
 * the partial index on them is (letter_work_queue), so that a prepared
 * statement's generic plan, which does not see its parameters, can still prove it may read them;
 * and every state because its plan differs (the open letters are few, the done ones most). A
 * state is one of seven words, checked here, not what a caller wrote.
 */
function stateArray(states: readonly LetterState[]): string {
  for (const s of states) if (!LETTER_STATES.includes(s)) throw new Error(`not a letter's state: ${JSON.stringify(s)}`);
  return `ARRAY[${states.map((s) => `'${s}'`).join(', ')}]`;
}

/**
 * An officer's queue unfiltered, a page of it: their letters (those naming them, those given to
 * their unit as a whole) are their keys, which keep each letter's place in the queue's order
 * (migration 22); sorted there, from the keys' index alone, and only the page's letters read on
 * their work rows. A letter that both names them and is given to their unit is on the page once.
 */
function keyedPage(scope: Scope, params: SqlParams, states: string, bounds: string): string {
  const secret = scope.restricted ? '' : ' AND NOT k.restricted';
  const lists = viewKeys(scope).listed.map(
    (key) =>
      `SELECT k.letter_id, k.urgency_rank, k.deadline, k.received_at FROM letter_key k
        WHERE ${keyIs('k', key, params)} AND k.state = ANY(${states})${secret}`,
  );
  // One row a letter, whatever its keys' copies say (they are the same, as the triggers keep them).
  return `SELECT ${PAGE_COLUMNS}
            FROM (SELECT k.letter_id FROM (${lists.join(' UNION ALL ')}) k
                   GROUP BY k.letter_id
                   ORDER BY max(k.urgency_rank) DESC, min(k.deadline) ASC NULLS LAST, min(k.received_at), k.letter_id ${bounds}) k
            JOIN letter_work w ON w.letter_id = k.letter_id`;
}

/** A page's bound as written into a statement: a count of rows, checked here. */
function count(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`not a count of rows: ${JSON.stringify(n)}`);
  return String(n);
}

/**
 * The counts per state of an officer's whole view, unfiltered: the queue's tabs on every
 * request. Kept, not counted (view_count, migration 19): an admin's and a supervisor's tree are
 * read as they are; an officer's two keys (by name, their unit as a whole) added up, less the
 * letters they hold both ways (view_overlap, migration 21); a supervisor's letters named to
 * them outside their tree, if any, looked up one by one.
 */
function keptCounts(scope: Scope, params: SqlParams): string {
  const { counted, listed } = viewKeys(scope);
  const secret = (alias: string) => (scope.restricted ? '' : ` AND NOT ${alias}.restricted`);
  const kept = (key: { kind: string; keyId: number }) =>
    `SELECT v.state, v.n FROM view_count v WHERE ${keyIs('v', key, params)}${secret('v')}`;
  const parts: string[] = [];
  if (counted) {
    parts.push(kept(counted));
    if (listed.length > 0) {
      // Usually none: a letter named to the supervisor is in their unit's tree, unless they were
      // elsewhere then. Looked up letter by letter (LIMIT 1), never by reading the whole tree.
      const lists = listed.map((key) => `SELECT k.letter_id, k.state FROM letter_key k WHERE ${keyIs('k', key, params)}${secret('k')}`);
      parts.push(
        `SELECT x.state, 1 FROM (${lists.join(' UNION ')}) x
           LEFT JOIN LATERAL (SELECT true AS inside FROM letter_key c WHERE ${keyIs('c', counted, params)} AND c.letter_id = x.letter_id LIMIT 1) c ON true
          WHERE c.inside IS NULL`,
      );
    }
  } else {
    for (const key of listed) parts.push(kept(key));
    if (listed.length === 2) {
      // Less the letters both name them and are given to their unit as a whole: kept too (migration 21).
      const [named, unit] = listed;
      parts.push(
        `SELECT b.state, -b.n FROM view_overlap b WHERE b.officer_id = ${params.add(named.keyId)} AND b.unit_id = ${params.add(unit.keyId)}${secret('b')}`,
      );
    }
  }
  return `SELECT c.state, sum(c.n)::integer AS n FROM (${parts.join(' UNION ALL ')}) c (state, n) GROUP BY c.state`;
}

/**
 * Folds the rows the triggers append to view_count, as letters move, into one per count: the
 * reconciler does it at each pass, so that reading a count adds up a few rows.
 */
export async function compactViewCounts(pool: Pool): Promise<void> {
  await pool.query('SELECT compact_view_counts()');
}

/** The officer's queue: most urgent first, then the nearest deadline, then the longest waiting (or in the register's order). */
export async function listQueue(pool: Pool, officer: Officer, query: QueueQuery): Promise<QueuePage> {
  const statements = queueStatements(officer, query);
  const { rows } = await pool.query(statements.items);
  const counted = statements.counts
    ? (await pool.query(statements.counts)).rows
    : Object.entries((rows[0]?.counts ?? {}) as Record<string, number>).map(([state, n]) => ({ state, n }));
  const counts = Object.fromEntries(LETTER_STATES.map((s) => [s, statements.counted.includes(s) ? 0 : null])) as QueuePage['counts'];
  const capped: LetterState[] = [];
  for (const r of counted) {
    const state = r.state as LetterState;
    const cap = statements.cap === null || OPEN_STATES.includes(state) ? Infinity : statements.cap;
    if (r.n > cap) capped.push(state);
    counts[state] = Math.min(r.n, cap);
  }
  return {
    items: rows.filter((r) => r.id !== null).map(toQueueItem),
    total: statements.states.reduce((sum, s) => sum + (counts[s] ?? 0), 0),
    counts,
    capped,
  };
}

/**
 * The query's filters as conditions: on the work row (`w`, when the statement has one) and on
 * the letter (`l`). The work row keeps copies of what the filters ask (the urgency as its rank,
 * the registration time, the agency and the book; migrations 9, 17 and 20) beside the letter's
 * state, and they are read there when there is one; so are the search's words, found by the
 * letter's id. `work.open`: the statement asks for open letters only, whose search rows are a
 * table of their own (open_words, migration 24); `work.wordsHere`: `w` is that table's row, the
 * words compared on it.
 */
function filters(
  query: Omit<QueueQuery, 'limit' | 'offset'>,
  params: SqlParams,
  work?: { open: boolean; wordsHere?: boolean },
): { work: string[]; letter: string[] } {
  const onWork: string[] = [];
  const onLetter: string[] = [];
  const on = work ? { alias: 'w', where: onWork } : { alias: 'l', where: onLetter };
  if (query.urgencies?.length) {
    if (work) {
      // Written out, as the states are (stateArray): a plan made without an array's values
      // guesses how many ranks it holds. Ranks are the numbers of URGENCY_RANK, each once.
      const ranks = [...new Set(query.urgencies.flatMap((u) => (Object.hasOwn(URGENCY_RANK, u) ? [URGENCY_RANK[u as UrgencyLevel]] : [])))];
      if (!ranks.every(Number.isInteger)) throw new Error(`not urgency ranks: ${JSON.stringify(ranks)}`);
      onWork.push(`w.urgency_rank = ANY(ARRAY[${ranks.sort((a, b) => b - a).join(', ') || 'NULL'}]::smallint[])`);
    } else onLetter.push(`l.urgency = ANY(${params.add(query.urgencies)})`);
  }
  const received = work ? 'w.received_at' : 'l.registered_at';
  if (query.receivedFrom) {
    on.where.push(`${received} >= (${params.add(query.receivedFrom)}::date::timestamp AT TIME ZONE 'Asia/Bangkok')`);
  }
  if (query.receivedTo) {
    on.where.push(`${received} < ((${params.add(query.receivedTo)}::date + 1)::timestamp AT TIME ZONE 'Asia/Bangkok')`);
  }
  if (query.agency) on.where.push(`${on.alias}.agency = ${params.add(query.agency)}`);
  if (query.book) on.where.push(`${on.alias}.book = ${params.add(query.book)}`);
  if (query.year) onLetter.push(`l.year = ${params.add(query.year)}`);
  const searched = words(query.search);
  if (searched.length) {
    // Asked of the letters' search text (letter_words, migration 18; the open letters' own rows,
    // open_words, migration 24), every word at once: on `w` itself when it is an open_words row,
    // otherwise by the letter's id. The trigram index's candidates are compared again on that
    // narrow row, not on the register's wide one, and a count of what is found needs no letter
    // row at all. Each word is written as that text is: lower case, Thai digits as Arabic.
    const found = (row: string) =>
      searched.map((word) => `${row}.text LIKE '%' || translate(lower(${params.add(word)}), '๐๑๒๓๔๕๖๗๘๙', '0123456789') || '%'`);
    if (work?.wordsHere) onWork.push(...found('w'));
    else {
      const table = work?.open ? 'open_words' : 'letter_words';
      on.where.push(`${work ? 'w.letter_id' : 'l.id'} IN (SELECT s.letter_id FROM ${table} s WHERE ${found('s').join(' AND ')})`);
    }
  }
  return { work: onWork, letter: onLetter };
}

/** The words of a search, LIKE's own characters taken literally. */
function words(search: string | undefined): string[] {
  if (!search) return [];
  return normaliseThaiText(search)
    .split(' ')
    .filter((w) => w !== '')
    .map((w) => w.replace(/[\\%_]/g, '\\$&'));
}

function toQueueItem(r: Record<string, unknown>): QueueItem {
  return {
    id: r.id as number,
    book: r.book as string,
    year: r.year as number,
    number: r.number as number,
    registeredAt: r.registered_at as Date,
    reference: r.reference as string | null,
    title: r.title as string | null,
    subject: r.subject as string,
    letterDate: r.letter_date as string | null,
    letterDateWritten: r.letter_date_written as string | null,
    agency: r.agency as string | null,
    addressee: r.addressee as string | null,
    urgency: r.urgency as string | null,
    secrecy: r.secrecy as string | null,
    restricted: r.restricted as boolean,
    suspect: r.suspect as boolean,
    circular: r.circular as boolean,
    toComplete: r.to_complete as boolean,
    attachmentCount: r.attachment_count as number,
    state: r.state as LetterState,
    stateName: STATE_NAMES[r.state as LetterState],
    waitUntil: r.wait_until as string | null,
    deadline: r.deadline as Date | null,
    assignee:
      r.unit_id === null && r.officer_id === null
        ? null
        : {
            unit: r.unit_id === null ? null : { id: r.unit_id as number, code: r.unit_code as string, name: r.unit_name as string },
            officer:
              r.officer_id === null ? null : { id: r.officer_id as number, username: r.username as string, name: r.officer_name as string },
          },
  };
}

/** What the register's การปฏิบัติ and หมายเหตุ columns say of a letter beyond its state, from its audit events. */
export interface RegisterNote {
  /** The latest การปฏิบัติ recorded: its words, and the number of our reply letter. */
  recorded: { text: string | null; replyNumber: string | null; at: Date } | null;
  /** Why it was last returned (ส่งคืน) or annulled (ยกเลิก). */
  returnedBecause: string | null;
  annulledBecause: string | null;
}

/**
 * The notes of these letters, by id: give only ids of letters the officer may see (those
 * listQueue found). One look-up by the audit trail's index on letter_id.
 */
export async function registerNotes(pool: Pool, letterIds: readonly number[]): Promise<Map<number, RegisterNote>> {
  const notes = new Map<number, RegisterNote>();
  if (letterIds.length === 0) return notes;
  const { rows } = await pool.query(
    `SELECT DISTINCT ON (letter_id, action) letter_id, action, at, detail->'request' AS request
       FROM audit_event
      WHERE letter_id = ANY($1::bigint[]) AND action IN ('letter.record', 'letter.return', 'letter.annul')
      ORDER BY letter_id, action, seq DESC`,
    [letterIds],
  );
  for (const r of rows) {
    const id = r.letter_id as number;
    const note = notes.get(id) ?? { recorded: null, returnedBecause: null, annulledBecause: null };
    const request = (r.request ?? {}) as { text?: string | null; replyNumber?: string | null; reason?: string };
    if (r.action === 'letter.record') note.recorded = { text: request.text ?? null, replyNumber: request.replyNumber ?? null, at: r.at };
    else if (r.action === 'letter.return') note.returnedBecause = request.reason ?? null;
    else note.annulledBecause = request.reason ?? null;
    notes.set(id, note);
  }
  return notes;
}

/** The agencies (จาก) of the letters this officer may see in a book and year, for a filter's choices. */
export async function agenciesInView(pool: Pool, officer: Officer, where: { book?: string; year?: number }): Promise<string[]> {
  const params = new SqlParams();
  const conditions = [visibleTo(scopeOf(officer), 'l', params), ...filters(where, params).letter, 'l.agency IS NOT NULL'];
  const { rows } = await pool.query(
    `SELECT DISTINCT l.agency FROM letter l WHERE ${conditions.join(' AND ')} ORDER BY l.agency LIMIT 500`,
    params.values,
  );
  return rows.map((r) => r.agency as string);
}

/** A letter of the register, if this officer may see it. */
export async function findLetterFor(pool: Pool, officer: Officer, letterId: number): Promise<Letter | null> {
  const params = new SqlParams();
  const id = params.add(letterId);
  const { rows } = await pool.query(
    `SELECT row_to_json(l) AS letter FROM letter l WHERE l.id = ${id} AND ${visibleTo(scopeOf(officer), 'l', params)}`,
    params.values,
  );
  return rows[0] ? letterFromJson(rows[0].letter) : null;
}

export interface AssignmentRecord {
  id: number;
  purpose: 'act' | 'know';
  unit: UnitRef | null;
  officer: Person | null;
  source: 'routing' | 'officer';
  /** The routing rule that made it; null for routing's central unit or an officer's assignment. */
  rule: string | null;
  assignedBy: Person | null;
  note: string | null;
  createdAt: Date;
  endedAt: Date | null;
  endedHow: string | null;
  endedBy: Person | null;
}

export interface Receipt {
  id: number;
  kind: 'acknowledgement' | 'notice';
  reason: string | null;
  /**
   * sent, pending, failed, held (a sender's window held it for the sender's digest), suppressed
   * (a loop, or the sender asked for none: never sent), or bounced (sent, then returned undelivered).
   */
  status: 'sent' | 'pending' | 'failed' | 'held' | 'suppressed' | 'bounced';
  /** Why it was held or suppressed (registry/sql/000010.sql plan_reply). */
  withheld: string | null;
  recipient: string;
  attempts: number;
  lastError: string | null;
  sentAt: Date | null;
  createdAt: Date;
}

export interface HistoryEvent {
  id: number;
  at: Date;
  actor: string;
  action: string;
  detail: Record<string, unknown>;
}

export interface LetterDetail {
  letter: Letter;
  state: LetterState;
  stateName: string;
  waitUntil: string | null;
  deadline: Date | null;
  assignments: AssignmentRecord[];
  /** The acknowledgement and notices sent for it: did the sender hear from us? */
  receipts: Receipt[];
  history: HistoryEvent[];
  /** Its receipt stamp (ตรารับ): the stamped copy made, or why not; null while its job has not run. */
  stamp: StampRecord | null;
}

/** One letter in full, if this officer may see it: the register, the desk's work on it, replies and history. */
export async function findLetterDetail(pool: Pool, officer: Officer, letterId: number): Promise<LetterDetail | null> {
  const params = new SqlParams();
  const id = params.add(letterId);
  const { rows } = await pool.query(
    `SELECT row_to_json(l) AS letter, w.state, to_char(w.wait_until, 'YYYY-MM-DD') AS wait_until, w.deadline, ${STAMP_JSON('s')} AS stamp,
            (SELECT coalesce(json_agg(json_build_object(
                'id', a.id, 'purpose', a.purpose, 'source', a.source, 'rule', a.rule, 'note', a.note,
                'createdAt', a.created_at, 'endedAt', a.ended_at, 'endedHow', a.ended_how,
                'unit', CASE WHEN u.id IS NULL THEN NULL ELSE json_build_object('id', u.id, 'code', u.code, 'name', u.name) END,
                'officer', ${person('o')}, 'assignedBy', ${person('b')}, 'endedBy', ${person('e')}) ORDER BY a.id), '[]')
               FROM assignment a LEFT JOIN unit u ON u.id = a.unit_id LEFT JOIN officer o ON o.id = a.officer_id
               LEFT JOIN officer b ON b.id = a.assigned_by LEFT JOIN officer e ON e.id = a.ended_by
              WHERE a.letter_id = l.id) AS assignments,
            (SELECT coalesce(json_agg(json_build_object(
                'id', r.id, 'kind', r.kind, 'reason', r.reason, 'recipient', r.recipient, 'attempts', r.attempts,
                'lastError', r.last_error, 'sentAt', r.sent_at, 'createdAt', r.created_at, 'withheld', r.withheld,
                'status', CASE WHEN r.status = 'failed' AND r.last_error LIKE 'bounced:%' THEN 'bounced' ELSE r.status END) ORDER BY r.id), '[]')
               FROM reply r WHERE r.letter_id = l.id AND r.inbound_id = l.inbound_id) AS receipts,
            (SELECT coalesce(json_agg(json_build_object('id', h.seq, 'at', h.at, 'actor', h.actor, 'action', h.action, 'detail', h.detail)
                                      ORDER BY h.seq), '[]')
               FROM audit_event h WHERE h.letter_id = l.id) AS history
       FROM letter l JOIN letter_work w ON w.letter_id = l.id LEFT JOIN letter_stamp s ON s.letter_id = l.id
      WHERE l.id = ${id} AND ${visibleTo(scopeOf(officer), 'l', params)}`,
    params.values,
  );
  const r = rows[0];
  if (!r) return null;
  const at = (v: unknown) => (v === null ? null : new Date(v as string));
  return {
    letter: letterFromJson(r.letter),
    state: r.state,
    stateName: STATE_NAMES[r.state as LetterState],
    waitUntil: r.wait_until,
    deadline: r.deadline,
    assignments: (r.assignments as Array<Record<string, unknown>>).map(
      (a) => ({ ...a, createdAt: at(a.createdAt)!, endedAt: at(a.endedAt) }) as AssignmentRecord,
    ),
    receipts: (r.receipts as Array<Record<string, unknown>>).map(
      (x) => ({ ...x, sentAt: at(x.sentAt), createdAt: at(x.createdAt)! }) as Receipt,
    ),
    history: (r.history as Array<Record<string, unknown>>).map((h) => ({ ...h, at: at(h.at)! }) as HistoryEvent),
    stamp: stampFromJson(r.stamp),
  };
}

const person = (alias: string) =>
  `CASE WHEN ${alias}.id IS NULL THEN NULL ELSE json_build_object('id', ${alias}.id, 'username', ${alias}.username, 'name', ${alias}.name) END`;

export interface HeldMessage {
  inboundId: string;
  receivedAt: Date;
  mailFrom: string | null;
  /** What was decided (held) and why (ลับที่สุด), and what the message said. */
  decision: Record<string, unknown>;
  /** Whether the sender was told (the top-secret notice). */
  noticeStatus: string | null;
}

export interface SuspectLetter {
  id: number;
  book: string;
  year: number;
  number: number;
  registeredAt: Date;
  subject: string;
  fromAddress: string | null;
  /** The verdict and its evidence (SPF, DKIM, DMARC results): why it is suspect. */
  authenticity: Record<string, unknown> | null;
  state: LetterState;
}

/**
 * The supervisor's list: messages held and not registered (ลับที่สุด, which may not travel by
 * e-mail), shown only to a supervisor or admin named for secret mail, since even the subject
 * may be secret; and letters registered as suspect (the sender shown forged; registered, not
 * acknowledged), those the officer may see.
 */
export async function listHeldAndSuspect(
  pool: Pool,
  officer: Officer,
  limit: number,
): Promise<{ held: HeldMessage[]; suspect: SuspectLetter[] }> {
  const held = officer.secretClearance
    ? (
        await pool.query(
          `SELECT i.id, i.received_at, i.mail_from, i.decision, r.status AS notice_status
             FROM inbound i LEFT JOIN reply r ON r.inbound_id = i.id AND r.reason IS DISTINCT FROM 'returned'
            WHERE i.outcome = 'held' ORDER BY i.received_at DESC LIMIT $1`,
          [limit],
        )
      ).rows.map((r): HeldMessage => ({
        inboundId: r.id,
        receivedAt: r.received_at,
        mailFrom: r.mail_from,
        decision: r.decision ?? {},
        noticeStatus: r.notice_status,
      }))
    : [];
  const params = new SqlParams();
  const { rows } = await pool.query(
    `SELECT l.id, l.book, l.year, l.number, l.registered_at, l.subject, l.from_address, l.authenticity, w.state
       FROM letter l JOIN letter_work w ON w.letter_id = l.id
      WHERE l.suspect AND ${visibleTo(scopeOf(officer), 'l', params)}
      ORDER BY l.registered_at DESC LIMIT ${params.add(limit)}`,
    params.values,
  );
  const suspect = rows.map((r): SuspectLetter => ({
    id: r.id,
    book: r.book,
    year: r.year,
    number: r.number,
    registeredAt: r.registered_at,
    subject: r.subject,
    fromAddress: r.from_address,
    authenticity: r.authenticity,
    state: r.state,
  }));
  return { held, suspect };
}
