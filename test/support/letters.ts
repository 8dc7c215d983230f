// The desk's people for tests of the letter side: units and officers written straight into a
// test database, as `saraban unit add` and `saraban officer add` would leave them.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Officer } from '../../letter/access';
import type { Pool } from '../../registry/db';
import type { Letter, LetterDetails } from '../../letter/letter';
import { registerLetter } from '../../registry/letters';
import { createTestDatabase, keepMessage, type TestDatabase } from './services';

// Until the frame's migration 000008 (people) is on main, the tables the
// letter side needs are made here, then 000009 is run by hand. Removed at the rebase onto them.
const FRAME_UNTIL_MERGED = `
  CREATE TABLE unit (id serial PRIMARY KEY, code text NOT NULL UNIQUE, name text NOT NULL, parent_id integer REFERENCES unit (id));
  CREATE TABLE officer (
    id serial PRIMARY KEY, username text NOT NULL UNIQUE, name text NOT NULL,
    role text NOT NULL CHECK (role IN ('officer', 'supervisor', 'admin')), unit_id integer REFERENCES unit (id),
    secret_clearance boolean NOT NULL DEFAULT false, on_duty boolean NOT NULL DEFAULT true, disabled_at timestamptz);
`;

export async function createDeskTestDatabase(): Promise<TestDatabase> {
  const db = await createTestDatabase();
  await db.pool.query(FRAME_UNTIL_MERGED);
  await db.pool.query(readFileSync(path.join(__dirname, '../../registry/sql/pending/000009.sql'), 'utf8'));
  return db;
}

/** For a describe block: a private database with the desk's tables. */
export function useDeskDatabase(): { db: TestDatabase } {
  const env = {} as { db: TestDatabase };
  beforeAll(async () => {
    env.db = await createDeskTestDatabase();
  });
  afterAll(async () => {
    await env.db.drop();
  });
  return env;
}

export async function addUnit(pool: Pool, code: string, name: string, parentCode?: string): Promise<number> {
  const { rows } = await pool.query(
    'INSERT INTO unit (code, name, parent_id) VALUES ($1, $2, (SELECT id FROM unit WHERE code = $3)) RETURNING id',
    [code, name, parentCode ?? null],
  );
  return rows[0].id as number;
}

export interface OfficerToAdd {
  username: string;
  role?: Officer['role'];
  unit?: string | null;
  secretClearance?: boolean;
  onDuty?: boolean;
}

export async function addOfficer(pool: Pool, o: OfficerToAdd): Promise<Officer> {
  const { rows } = await pool.query(
    `INSERT INTO officer (username, name, role, unit_id, secret_clearance, on_duty)
     VALUES ($1, $2, $3, (SELECT id FROM unit WHERE code = $4), $5, $6) RETURNING id, unit_id`,
    [o.username, `คุณ ${o.username}`, o.role ?? 'officer', o.unit ?? null, o.secretClearance ?? false, o.onDuty ?? true],
  );
  return {
    id: rows[0].id,
    username: o.username,
    name: `คุณ ${o.username}`,
    role: o.role ?? 'officer',
    unitId: rows[0].unit_id,
    secretClearance: o.secretClearance ?? false,
  };
}

let letterSeq = 0;

/** Registers a letter with these register fields (a message kept for it first), acknowledged to its sender. */
export async function registerTestLetter(
  pool: Pool,
  details: Partial<LetterDetails> = {},
  options: { book?: string; at?: Date; mailFrom?: string } = {},
): Promise<Letter> {
  const n = ++letterSeq;
  const inboundId = await keepMessage(pool, `Subject: letter ${n}\n\nbody ${n}\n`, options.book ?? 'RB', options.mailFrom);
  const { letter } = await registerLetter(
    pool,
    {
      inboundId,
      book: options.book ?? 'RB',
      details: {
        messageId: `<letter-${n}-${inboundId}@moe.go.th>`,
        fromAddress: 'saraban@moe.go.th',
        fromName: null,
        subject: `ที่ ศธ 0206/${n} เรื่อง หนังสือทดสอบ ${n}`,
        attachments: [],
        title: `หนังสือทดสอบ ${n}`,
        ...details,
      },
      reply: {
        kind: 'acknowledgement',
        reason: null,
        recipient: options.mailFrom ?? 'saraban@moe.go.th',
        messageId: `<ack.${inboundId}@example.go.th>`,
      },
      replyLimits: { perSenderPerDay: 100_000, globalPerHour: 100_000 },
    },
    () => options.at ?? new Date(),
  );
  return letter;
}
