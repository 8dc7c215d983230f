import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dumpSchema, SCHEMA_FILE } from '../../bin/schema-dump';
import pg from 'pg';
import { verifyAuditChain } from '../../registry/audit';
import { createPool, migrate, readMigrations, transaction, type Pool } from '../../registry/db';
import { registerLetter } from '../../registry/letters';
import { LETTER_STATES } from '../../letter/transitions';
import { listQueue } from '../../registry/queue';
import { addOfficer, registerTestLetter } from '../support/letters';
import { keepMessage, replyRules, PG_ADMIN_URL, schemaAsOf, useTestDatabase } from '../support/services';

// A register in service was made by the runner that kept its migrations in TypeScript strings
// (versions 1 to 6). Its files are those strings byte for byte (test/unit/registry/migrations.test.ts).
const RELEASED_BEFORE_SQL_FILES = 6;

describe('migrating a register made when the migrations were TypeScript strings', () => {
  // A database of its own, left empty: the old runner made its schema, not migrate().
  const env = {} as { db: { url: string; pool: Pool } };
  const name = `t_upgrade_${randomBytes(6).toString('hex')}`;
  const admin = (sql: string) => withAdmin((client) => client.query(sql));
  beforeAll(async () => {
    await admin(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
    const url = new URL(PG_ADMIN_URL);
    url.pathname = `/${name}`;
    env.db = { url: url.toString(), pool: createPool(url.toString(), 2) };
  });
  afterAll(async () => {
    await env.db.pool.end();
    await admin(`DROP DATABASE ${pg.escapeIdentifier(name)} WITH (FORCE)`);
  });

  /** Versions 1 to 6 applied as that runner applied them: one transaction, its lock, its bookkeeping table. */
  async function migrateAsReleased() {
    await transaction(env.db.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(7262001)');
      await client.query(
        'CREATE TABLE IF NOT EXISTS schema_migration (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
      );
      for (const m of readMigrations().filter((m) => m.version <= RELEASED_BEFORE_SQL_FILES)) {
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migration (version, name) VALUES ($1, $2)', [m.version, m.name]);
      }
    });
  }

  /** A message kept as that release's intake kept it: its inbound row and its one piece, together. */
  async function keptAsReleased(raw: string): Promise<string> {
    const bytes = Buffer.from(raw);
    const { rows } = await env.db.pool.query(
      `WITH kept AS (
         INSERT INTO inbound (id, received_at, edge, mail_from, rcpt_to, book, size, sha256)
         VALUES (gen_random_uuid(), now(), 'smtp', 'saraban@moe.go.th', '{saraban@example.go.th}', 'RB', $1, encode(sha256($2), 'hex'))
         RETURNING id)
       INSERT INTO inbound_chunk (inbound_id, seq, data) SELECT id, 0, $2 FROM kept RETURNING inbound_id`,
      [bytes.length, bytes],
    );
    return rows[0].inbound_id as string;
  }

  /** A letter registered, with its acknowledgement, and a message held, each as that release wrote them. */
  async function workAsReleased() {
    const { pool } = env.db;
    const registered = await keptAsReleased('Subject: ที่ ศธ 0206/1\r\n\r\nletter\r\n');
    // Every column, as that release's letterRow() gave them.
    const letter = {
      message_id: '<old-1@moe.go.th>',
      from_address: 'saraban@moe.go.th',
      from_name: 'สารบรรณ',
      subject: 'ที่ ศธ 0206/1',
      attachments: [{ filename: 'หนังสือ.pdf', contentType: 'application/pdf', size: 10, sha256: 'ab' }],
      reference: 'ศธ 0206/1',
      reference_normalised: 'ศธ 0206/1',
      circular: false,
      letter_date_written: '1 กุมภาพันธ์ 2569',
      letter_date: '2026-02-01',
      title: 'ทดสอบ',
      title_guessed: false,
      addressee: 'ผู้อำนวยการ',
      urgency: 'ด่วน',
      urgency_deadline: null,
      secrecy: null,
      agency: 'กระทรวงศึกษาธิการ',
      agency_source: 'directory',
      authenticity: { verdict: 'authentic' },
      suspect: false,
      restricted: false,
      flags: ['no-text-layer'],
      forwarded_by: null,
    };
    const reply = { kind: 'acknowledgement', reason: null, recipient: 'saraban@moe.go.th', messageId: '<ack.old-1@example.go.th>' };
    await pool.query('SELECT register_letter($1, $2, $3, $4, $5, $6, NULL, $7)', [
      registered,
      'RB',
      2569,
      new Date('2026-02-02T03:00:00Z'),
      JSON.stringify(letter),
      JSON.stringify(reply),
      JSON.stringify({ perSenderPerDay: 20, globalPerHour: 500 }), // the settings of that release
    ]);
    const held = await keptAsReleased('Subject: ลับที่สุด\r\n\r\nletter\r\n');
    await pool.query(`UPDATE inbound SET processed_at = $2, outcome = 'held', decision = '{"reason": "top-secret"}' WHERE id = $1`, [
      held,
      new Date('2026-02-02T03:05:00Z'),
    ]);
    await pool.query(
      `INSERT INTO audit_event (at, actor, action, inbound_id, letter_id, detail) VALUES ($1, 'system', 'inbound.held', $2, NULL, '{"reason": "top-secret"}')`,
      [new Date('2026-02-02T03:05:00Z'), held],
    );
  }

  /** Every row of the tables that release had, as JSON, in a fixed order. */
  async function rowsOf(): Promise<Record<string, unknown[]>> {
    const tables = {
      schema_migration: 'version',
      inbound: 'received_at, id',
      inbound_chunk: 'inbound_id, seq',
      book_counter: 'book, year',
      letter: 'id',
      reply: 'id',
      reply_tally: 'scope, window_start',
      audit_event: 'id',
    };
    const rows: Record<string, unknown[]> = {};
    for (const [table, order] of Object.entries(tables)) {
      rows[table] = (await env.db.pool.query(`SELECT to_jsonb(t) AS row FROM ${table} t ORDER BY ${order}`)).rows.map((r) => r.row);
    }
    return rows;
  }

  it('finds it at version 6, applies only what came later, keeps its letters, replies and audit rows, and numbers on from them', async () => {
    await migrateAsReleased();
    await workAsReleased();
    const before = await rowsOf();
    expect(before.letter).toHaveLength(1);
    expect(before.reply).toHaveLength(1);
    expect(before.audit_event).toHaveLength(2);

    const later = readMigrations().filter((m) => m.version > RELEASED_BEFORE_SQL_FILES);
    expect(await migrate(env.db.pool)).toEqual(later.map((m) => m.version));
    expect(await migrate(env.db.pool)).toEqual([]);

    const after = await rowsOf();
    // Each row as it was; a later migration may add columns, never change what was there.
    for (const [table, rows] of Object.entries(before)) {
      if (table === 'schema_migration') continue;
      expect({ table, rows: after[table] }).toEqual({ table, rows: rows.map((row) => expect.objectContaining(row as object)) });
    }
    expect(after.schema_migration).toEqual([
      ...before.schema_migration,
      ...later.map((m) => expect.objectContaining({ version: m.version, name: m.name })),
    ]);
    // The same tables, indexes and functions as a register made new (registry/schema.sql).
    expect(await dumpSchema(env.db.url)).toBe(readFileSync(SCHEMA_FILE, 'utf8'));
    // The events written before the chain existed start it, in the order they were written (migration 7).
    const chained = await env.db.pool.query('SELECT id, seq FROM audit_event ORDER BY seq');
    expect(chained.rows).toEqual(before.audit_event.map((e, i) => ({ id: (e as { id: number }).id, seq: i + 1 })));
    expect(await verifyAuditChain(env.db.pool)).toMatchObject({ ok: true, events: 2 });

    const inboundId = await keepMessage(env.db.pool, 'Subject: ที่ ศธ 0206/2\r\n\r\nletter\r\n');
    const next = await registerLetter(
      env.db.pool,
      {
        inboundId,
        book: 'RB',
        details: {
          messageId: '<new-1@moe.go.th>',
          fromAddress: 'saraban@moe.go.th',
          fromName: null,
          subject: 'ที่ ศธ 0206/2',
          attachments: [],
        },
        reply: null,
        replyLimits: replyRules(),
      },
      () => new Date('2026-02-03T03:00:00Z'),
    );
    expect([next.letter.book, next.letter.year, next.letter.number]).toEqual(['RB', 2569, 2]);
    expect(await verifyAuditChain(env.db.pool)).toMatchObject({ ok: true, events: 3 });
  });
});

describe('upgrading a register to the search rows of its own (migration 18)', () => {
  const env = useTestDatabase();

  it('copies the search text of the letters already registered, so that a search finds them', async () => {
    const { pool } = env.db;
    // The register as migration 17 left it, with letters and the old search index.
    await schemaAsOf(pool, 17);
    const meeting = await registerTestLetter(pool, {
      title: 'ขอเชิญประชุมคณะกรรมการ',
      reference: 'ที่ มท ๐๒๐๑.๒/ว ๕๙๕๑',
      referenceNormalised: 'มท 0201.2/ว 5951',
      agency: 'กระทรวงมหาดไทย',
    });
    // No title read: the search has the subject.
    const untitled = await registerTestLetter(pool, { title: null, subject: 'แจ้งผลการสอบคัดเลือก' });
    const admin = await addOfficer(pool, { username: 'admin', role: 'admin' });

    const applied = await migrate(pool);
    expect(applied[0]).toBe(18);
    expect(applied).toEqual(readMigrations().flatMap((m) => (m.version >= 18 ? [m.version] : [])));
    const found = async (search: string) =>
      (await listQueue(pool, admin, { search, states: LETTER_STATES, limit: 50, offset: 0 })).items.map((l) => l.id);
    expect(await found('ประชุม ๐๒๐๑')).toEqual([meeting.id]);
    expect(await found('มหาดไทย')).toEqual([meeting.id]);
    expect(await found('สอบคัดเลือก')).toEqual([untitled.id]);
    expect(await found('ไม่มีคำนี้')).toEqual([]);
  });
});

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
