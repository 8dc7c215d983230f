import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import Cursor from 'pg-cursor';

export type Pool = pg.Pool;
export type Client = pg.PoolClient;

// bigint columns (sizes, ids) fit in a JS number for any register we will see.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

// The statements run for every letter carry a name (query({ name, text, values })): each
// connection then parses and plans them once, not once per letter. A name stands for one text.
export function createPool(url: string, max = 20, options?: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 5_000, options });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  return pool;
}

/**
 * A statement built from parts, named by its text so that each connection prepares it once: the
 * same text, the same name, and another text never takes a name already given (pg refuses a
 * name it knows with another text). For statements of a bounded number of texts: each stays
 * prepared on its connection until the connection closes.
 */
export function prepared<S extends { text: string; values: unknown[] }>(statement: S): S & { name: string } {
  return { ...statement, name: `q-${createHash('sha1').update(statement.text).digest('base64url')}` };
}

/**
 * How the running gateway's connections plan their statements (bin/roles.ts), where many short
 * ones run at once: an officer's queue page, a letter's registration. Parallel workers would
 * only add processes to a machine whose cores the other requests already use (measured on the
 * desk's bench: the filters' p50 halved without them, docs/PERFORMANCE.md); and the register's
 * pages are read from memory or SSD, not a disk whose random reads cost four sequential ones
 * (PostgreSQL's default random_page_cost of 4 was chosen for that disk; its manual suggests 1.1),
 * so looking letters up one by one through an index is planned at what it costs.
 */
export const SERVING_OPTIONS = '-c max_parallel_workers_per_gather=0 -c random_page_cost=1.1';

/**
 * A value as the text of a jsonb parameter. PostgreSQL refuses JSON holding half of a UTF-16
 * surrogate pair (a broken encoded word, a PDF text layer, text cut inside an emoji) or a NUL
 * (an encoded word can decode to one), where a text parameter only has the half replaced:
 * both are replaced with U+FFFD first, as a text parameter has the half.
 */
export function jsonb(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'string' ? storableText(v.replace(LONE_SURROGATE, '\uFFFD')) : v));
}

/**
 * Text a message gave us, as a text parameter can hold it: PostgreSQL refuses a NUL in text
 * (it stores no U+0000), so it is replaced with U+FFFD.
 */
export function storableText(text: string): string {
  return text.replaceAll('\u0000', '\uFFFD');
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Runs fn in one transaction on one connection; rolls back when it throws. */
export async function transaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await begin(pool);
  try {
    const result = await fn(client);
    await commit(client);
    return result;
  } catch (err) {
    await abandon(client);
    throw err;
  }
}

// The pool stops listening for a connection's errors while it is lent out (pool.query()
// listens in its place): one lost meanwhile (a restart, a dropped socket) would be an
// unhandled 'error' event, which ends the process. The query that was running, or the next
// one, fails with the error instead, and the pool drops the connection when it comes back.
const reportedByItsQueries = () => undefined;

/** A connection of its own from the pool; give it back with giveBack(). */
async function lend(pool: pg.Pool): Promise<pg.PoolClient> {
  const client = await pool.connect();
  client.on('error', reportedByItsQueries);
  return client;
}

function giveBack(client: pg.PoolClient, broken?: Error): void {
  client.off('error', reportedByItsQueries);
  client.release(broken);
}

/** A connection from the pool with a transaction open on it: end it with commit() or abandon(). */
export async function begin(pool: pg.Pool): Promise<pg.PoolClient> {
  const client = await lend(pool);
  try {
    await client.query('BEGIN');
    return client;
  } catch (err) {
    giveBack(client, err as Error);
    throw err;
  }
}

/** Commits the transaction and gives the connection back (when COMMIT fails, abandon() it). */
export async function commit(client: pg.PoolClient): Promise<void> {
  await client.query('COMMIT');
  giveBack(client);
}

/** Rolls the transaction back and gives the connection back, or drops it when ROLLBACK failed (it could still be in a transaction). */
export async function abandon(client: pg.PoolClient): Promise<void> {
  const broken = await client.query('ROLLBACK').then(
    () => undefined,
    (err: Error) => err,
  );
  giveBack(client, broken);
}

/**
 * The rows of `COPY (query) TO STDOUT (FORMAT binary)`, each field as the bytes the server sent
 * (null for NULL). pg reads every query result as text, so bytes would have to travel encoded
 * (base64, hex), and encoding and decoding a letter cost more than the rest of reading it.
 * COPY takes no parameters: quote values into the query with pg.escapeLiteral.
 */
export async function copyBinaryRows(pool: pg.Pool, query: string): Promise<(Buffer | null)[][]> {
  const client = await lend(pool);
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of client.query(copyTo(`COPY (${query}) TO STDOUT (FORMAT binary)`))) chunks.push(chunk as Buffer);
  } catch (err) {
    giveBack(client, err as Error);
    throw err;
  }
  giveBack(client);
  return parseBinaryCopy(Buffer.concat(chunks));
}

/**
 * The rows of a query, read through a server-side cursor a batch at a time as the caller asks
 * for them: a result of any size costs a batch of memory. (Batches of 100: with 500 the rows
 * in hand lived long enough for V8 to keep 100 MB more before collecting them.) The connection
 * is lent while the rows are read; one left unfinished (the caller stopped early, the query or
 * the connection failed) is dropped, not given back with a cursor open on it.
 *
 * pg-cursor itself rather than pg-query-stream's stream over it: that stream never ends
 * when the connection is lost (node-postgres #2870), and a reader waiting for it would let the
 * process exit as if the rows were all read.
 */
export async function* queryRows(pool: pg.Pool, text: string, values: unknown[], batchSize = 100): AsyncGenerator<Record<string, unknown>> {
  const client = await lend(pool);
  let finished = false;
  try {
    const cursor = client.query(new Cursor<Record<string, unknown>>(text, values));
    yield* cursorBatches(cursor, batchSize);
    await cursor.close();
    finished = true;
  } finally {
    giveBack(client, finished ? undefined : new Error('rows left unread'));
  }
}

async function* cursorBatches(cursor: Cursor<Record<string, unknown>>, batchSize: number): AsyncGenerator<Record<string, unknown>> {
  for (;;) {
    const rows = await cursor.read(batchSize);
    if (rows.length === 0) return;
    yield* rows;
  }
}

/** Reads rows through a cursor, as queryRows() does, on the connection of a snapshot(). */
export type SnapshotRows = (text: string, values: unknown[], batchSize?: number) => AsyncGenerator<Record<string, unknown>>;

/**
 * Runs fn with a reader of rows that all see the database as it was at its first query
 * (REPEATABLE READ, read only): what reads the same rows twice (a count, then the rows) finds
 * the same rows, whatever is committed meanwhile. One connection, lent until fn settles; its
 * reads one after another, each finished (or stopped) before the next.
 */
export async function snapshot<T>(pool: pg.Pool, fn: (rows: SnapshotRows) => Promise<T>): Promise<T> {
  return transaction(pool, async (client) => {
    await client.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    return fn(async function* (text, values, batchSize = 100) {
      const cursor = client.query(new Cursor<Record<string, unknown>>(text, values));
      try {
        yield* cursorBatches(cursor, batchSize);
      } finally {
        // A reader stopped early: its cursor must go before the connection can run anything else.
        await cursor.close().catch(() => undefined);
      }
    });
  });
}

const BINARY_COPY_SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/**
 * PostgreSQL's binary COPY format (its manual: COPY, "Binary Format"): the signature, 32-bit
 * flags and a header extension of a 32-bit length, then per row a 16-bit field count and each
 * field as a 32-bit length (-1: NULL) and its bytes; a field count of -1 ends the data.
 */
export function parseBinaryCopy(data: Buffer): (Buffer | null)[][] {
  if (!data.subarray(0, BINARY_COPY_SIGNATURE.length).equals(BINARY_COPY_SIGNATURE)) throw new Error('not binary COPY data');
  // No flag is set for a query's COPY; one we do not know (OIDs, a future format) is not ours to read.
  if (data.readUInt32BE(BINARY_COPY_SIGNATURE.length) !== 0) throw new Error('binary COPY data with flags set');
  let at = BINARY_COPY_SIGNATURE.length + 4;
  at += 4 + data.readUInt32BE(at);
  const rows: (Buffer | null)[][] = [];
  for (;;) {
    const count = data.readInt16BE(at);
    at += 2;
    if (count === -1) return rows;
    const row: (Buffer | null)[] = [];
    for (let i = 0; i < count; i++) {
      const length = data.readInt32BE(at);
      at += 4;
      if (length < 0) {
        row.push(null);
        continue;
      }
      if (at + length > data.length) throw new RangeError('binary COPY data ends inside a field');
      row.push(data.subarray(at, at + length));
      at += length;
    }
    rows.push(row);
  }
}

/** Creates the database named in the URL when it does not exist (a fresh install). */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!name) throw new Error(`the database URL ${url} names no database`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5_000 });
  // Lost in the middle (PostgreSQL restarting as we start): the query fails and start-up says
  // what to check, where an unheard 'error' event would end the process with a stack trace.
  client.on('error', reportedByItsQueries);
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`).catch((err: { code?: string }) => {
        if (err.code !== '42P04') throw err; // created meanwhile by another process
      });
    }
  } finally {
    await client.end();
  }
}

export interface Migration {
  version: number;
  name: string;
  /** What is run: the file's text after its first line. */
  sql: string;
}

/**
 * The register's schema, in order: registry/sql/000001.sql, 000002.sql, ... (the build copies
 * them beside the compiled runner). Each file's first line is `-- <name>`; the rest is run as
 * it stands. A migration, once released, is never edited: add a file.
 */
export const MIGRATIONS_DIR = path.join(__dirname, 'sql');

export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const files = readdirSync(dir)
    .filter((f) => /^\d{6}\.sql$/.test(f))
    .sort();
  return files.map((file, i) => {
    const version = Number(file.slice(0, 6));
    // A missing number would leave databases migrated past it without it, unnoticed.
    if (version !== i + 1) throw new Error(`${path.join(dir, file)}: expected migration ${i + 1} next, found ${version}`);
    const text = readFileSync(path.join(dir, file), 'utf8');
    const newline = text.indexOf('\n');
    const first = newline < 0 ? text : text.slice(0, newline);
    if (!first.startsWith('-- ') || first.length === 3) {
      throw new Error(`${path.join(dir, file)}: the first line must name the migration, as "-- <name>"`);
    }
    return { version, name: first.slice(3), sql: newline < 0 ? '' : text.slice(newline + 1) };
  });
}

/**
 * Brings the schema up to date; safe to run from several processes at once. schema_migration
 * is as the runner of migrations in TypeScript strings wrote it, so a database migrated then
 * is at its version here too.
 */
export async function migrate(pool: pg.Pool): Promise<number[]> {
  const migrations = readMigrations();
  return transaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(7262001)');
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migration (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const done = new Set((await client.query('SELECT version FROM schema_migration')).rows.map((r) => r.version as number));
    const applied: number[] = [];
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      await client.query(m.sql);
      await client.query('INSERT INTO schema_migration (version, name) VALUES ($1, $2)', [m.version, m.name]);
      applied.push(m.version);
    }
    return applied;
  });
}
