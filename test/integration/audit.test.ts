import { parse as parseLossless } from 'lossless-json';
import { appendAudit, canonicalJson, verifyAuditChain } from '../../registry/audit';
import { createPool, transaction, type Pool } from '../../registry/db';
import { recordNotRegistered, registerLetter, type RegistrationRequest } from '../../registry/letters';
import { keepMessage, replyRules, spawnSaraban, testConfig, useTestDatabase } from '../support/services';

// The audit trail as evidence (issue 15, "Evidence"): one writer, a hash chain that cannot fork,
// and a walk of the chain that names the first event changed or removed behind the trigger.

const limits = replyRules();
const clock = () => new Date('2026-06-01T03:00:00.123Z');

function request(inboundId: string, book: string, messageId = `<${inboundId}@moe.go.th>`): RegistrationRequest {
  return {
    inboundId,
    book,
    details: { messageId, fromAddress: 'saraban@moe.go.th', fromName: null, subject: 'เรื่อง ทดสอบ', attachments: [] },
    reply: { kind: 'acknowledgement', reason: null, recipient: 'saraban@moe.go.th', messageId: `<ack.${inboundId}@example.go.th>` },
    duplicate: {
      keys: { messageId, fromAddress: 'saraban@moe.go.th', attachmentSha256s: [], referenceNormalised: null },
      reply: null,
      decision: { reason: 'duplicate' },
    },
    replyLimits: limits,
  };
}

/** A letter registered, its duplicate linked and a message held: one event each, by each writer. */
async function writeThreeEvents(pool: Pool) {
  await registerLetter(pool, request(await keepMessage(pool, 'Subject: x\r\n\r\nletter\r\n'), 'RB', '<same@moe.go.th>'), clock);
  await registerLetter(pool, request(await keepMessage(pool, 'Subject: x\r\n\r\nagain\r\n'), 'RB', '<same@moe.go.th>'), clock);
  await recordNotRegistered(
    pool,
    {
      inboundId: await keepMessage(pool, 'Subject: x\r\n\r\nsecret\r\n'),
      outcome: 'held',
      decision: { reason: 'top-secret' },
      reply: null,
      replyLimits: limits,
    },
    clock,
  );
}

async function chainOf(pool: Pool) {
  const { rows } = await pool.query('SELECT seq, action, prev_hash, hash FROM audit_event ORDER BY seq');
  return rows as { seq: number; action: string; prev_hash: string; hash: string }[];
}

/** Runs sql as an administrator would, on a connection whose triggers do not fire. */
async function asAdministratorBehindTheTrigger(pool: Pool, sql: string) {
  await transaction(pool, async (client) => {
    await client.query('SET LOCAL session_replication_role = replica');
    await client.query(sql);
  });
}

describe('the audit chain of a working register', () => {
  const env = useTestDatabase();

  it('chains the events of a registration, a duplicate and a held message, each after the last, and finds the chain whole', async () => {
    await writeThreeEvents(env.db.pool);
    const chain = await chainOf(env.db.pool);
    expect(chain.map((e) => [e.seq, e.action])).toEqual([
      [1, 'letter.registered'],
      [2, 'inbound.duplicate'],
      [3, 'inbound.held'],
    ]);
    expect(chain.map((e) => e.prev_hash)).toEqual(['0'.repeat(64), chain[0].hash, chain[1].hash]);
    expect(await verifyAuditChain(env.db.pool)).toEqual({ ok: true, events: 3, lastHash: chain[2].hash });
  });

  it('refuses UPDATE, DELETE and TRUNCATE of audit events, and an event not written by audit_append', async () => {
    const { pool } = env.db;
    await expect(pool.query(`UPDATE audit_event SET detail = '{}' WHERE seq = 1`)).rejects.toThrow(
      'audit_event is append-only: UPDATE is refused',
    );
    await expect(pool.query('DELETE FROM audit_event WHERE seq = 1')).rejects.toThrow('audit_event is append-only: DELETE is refused');
    await expect(pool.query('TRUNCATE audit_event')).rejects.toThrow('audit_event is append-only: TRUNCATE is refused');
    await expect(pool.query(`INSERT INTO audit_event (at, actor, action) VALUES (now(), 'system', 'letter.registered')`)).rejects.toThrow(
      /null value in column "seq"/,
    );
    expect(await verifyAuditChain(pool)).toMatchObject({ ok: true });
  });

  it('hashes any detail the same in SQL and in TypeScript: key order by UTF-8 bytes, numbers as stored, escapes', async () => {
    const { pool } = env.db;
    const tricky = {
      b: 1,
      a: [true, false, null, { z: 'ผู้ว่าราชการจังหวัด', y: [] }],
      aa: 'quote " backslash \\ tab \t newline \n bell \u0007 del \u007f',
      é: {},
      '\uffff': 'last of the BMP',
      '😀': 'after it in UTF-8 order, before it in UTF-16 order',
    };
    await transaction(pool, (client) =>
      appendAudit(client, { at: clock(), actor: 'system', action: 'test.tricky', inboundId: null, letterId: null, detail: tricky }),
    );
    // Numbers JSON.stringify never writes, as another writer (SQL itself) may store them.
    await pool.query(
      `SELECT audit_append(now(), 'system', 'test.numbers', NULL, NULL, '{"n": 1.50, "e": 1e2, "z": -0.0, "big": 12345678901234567890.5}')`,
    );
    const { rows } = await pool.query(
      `SELECT detail::text AS detail, audit_canonical_json(detail) AS canonical FROM audit_event WHERE action LIKE 'test.%' ORDER BY seq`,
    );
    for (const r of rows) expect(canonicalJson(parseLossless(r.detail))).toBe(r.canonical);
    expect(rows.map((r) => r.canonical)).toEqual([
      '{"a":[true,false,null,{"y":[],"z":"ผู้ว่าราชการจังหวัด"}],"aa":"quote \\" backslash \\\\ tab \\t newline \\n bell \\u0007 del \u007f","b":1,"é":{},"\uffff":"last of the BMP","😀":"after it in UTF-8 order, before it in UTF-16 order"}',
      '{"big":12345678901234567890.5,"e":100,"n":1.50,"z":0.0}',
    ]);
    expect(await verifyAuditChain(pool)).toMatchObject({ ok: true });
  });
});

describe('an audit chain written by many workers at once', () => {
  const env = useTestDatabase();

  it('gives 50 registrations and 10 held messages in parallel one chain 1..60 without a fork', async () => {
    const pools = Array.from({ length: 5 }, () => createPool(env.db.url, 4));
    try {
      const registrations = await Promise.all(
        Array.from({ length: 50 }, async (_, i) => request(await keepMessage(env.db.pool, `Subject: ${i}\r\n\r\nletter\r\n`), `B${i % 3}`)),
      );
      const held = await Promise.all(Array.from({ length: 10 }, () => keepMessage(env.db.pool, 'Subject: x\r\n\r\nsecret\r\n')));
      await Promise.all([
        ...registrations.map((r, i) => registerLetter(pools[i % pools.length], r, clock)),
        ...held.map((inboundId, i) =>
          recordNotRegistered(
            pools[i % pools.length],
            { inboundId, outcome: 'held', decision: { reason: 'top-secret' }, reply: null, replyLimits: limits },
            clock,
          ),
        ),
      ]);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
    const chain = await chainOf(env.db.pool);
    expect(chain.map((e) => e.seq)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    // A fork is two events naming the same previous event.
    expect(new Set(chain.map((e) => e.prev_hash)).size).toBe(60);
    expect(chain.slice(1).every((e, i) => e.prev_hash === chain[i].hash)).toBe(true);
    expect(await verifyAuditChain(env.db.pool)).toEqual({ ok: true, events: 60, lastHash: chain[59].hash });
  });
});

describe('an audit event edited by a database administrator with the trigger disabled', () => {
  const env = useTestDatabase();

  it('is named by verify as a hash mismatch, and `saraban audit verify` exits 3 naming it', async () => {
    const { pool } = env.db;
    await writeThreeEvents(pool);
    const intact = spawnSaraban(['audit', 'verify'], testConfig(env.db.url));
    expect(await intact.exited).toBe(0);
    expect(intact.output()).toMatch(/^audit chain intact: 3 events, #1 to #3; last hash [0-9a-f]{64}\n$/);

    await pool.query('ALTER TABLE audit_event DISABLE TRIGGER ALL');
    await pool.query(`UPDATE audit_event SET detail = jsonb_set(detail, '{number}', '2') WHERE seq = 2`);
    await pool.query('ALTER TABLE audit_event ENABLE TRIGGER ALL');
    expect(await verifyAuditChain(pool)).toEqual({ ok: false, seq: 2, problem: 'hash mismatch' });

    const broken = spawnSaraban(['audit', 'verify'], testConfig(env.db.url));
    expect(await broken.exited).toBe(3);
    expect(broken.output()).toMatch(/^audit chain broken at event #2: hash mismatch: event #2 is not what was written/);
  });
});

describe('an audit event edited and given a new hash behind the trigger', () => {
  const env = useTestDatabase();

  it('is found at the next event, whose previous hash no longer matches', async () => {
    const { pool } = env.db;
    await writeThreeEvents(pool);
    await asAdministratorBehindTheTrigger(
      pool,
      `UPDATE audit_event SET detail = '{"reason": "not-a-letter"}',
              hash = audit_hash(seq, at, actor, action, inbound_id, letter_id, '{"reason": "not-a-letter"}', prev_hash)
        WHERE seq = 2`,
    );
    expect(await verifyAuditChain(pool)).toEqual({ ok: false, seq: 3, problem: 'previous hash mismatch' });
  });
});

describe('an audit event deleted behind the trigger', () => {
  const env = useTestDatabase();

  it('is found as a gap in the sequence, naming the missing event', async () => {
    const { pool } = env.db;
    await writeThreeEvents(pool);
    await asAdministratorBehindTheTrigger(pool, 'DELETE FROM audit_event WHERE seq = 2');
    expect(await verifyAuditChain(pool)).toEqual({ ok: false, seq: 2, problem: 'sequence gap' });
  });
});
