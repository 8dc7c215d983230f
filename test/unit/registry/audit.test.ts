import { createHash } from 'node:crypto';
import { parse as parseLossless } from 'lossless-json';
import { auditHash, canonicalAuditEvent, canonicalJson, GENESIS_HASH, type StoredAuditEvent } from '../../../registry/audit';

const event: StoredAuditEvent = {
  seq: 7,
  atMicros: Date.parse('2026-02-02T03:00:00.123Z') * 1000 + 456,
  actor: 'system',
  action: 'letter.registered',
  inboundId: '6f1c0c1e-0d8a-4c43-9a43-3c2f4f0b2a11',
  letterId: 42,
  detailJson: '{"book": "RB", "year": 2569, "number": 1, "suspect": false}',
  prevHash: GENESIS_HASH,
};

describe('the canonical form of an audit event', () => {
  it('is the JSON array of its fields in fixed order, at in UTC with microseconds, the detail with sorted keys', () => {
    expect(canonicalAuditEvent(event)).toBe(
      `[7,"2026-02-02T03:00:00.123456Z","system","letter.registered","6f1c0c1e-0d8a-4c43-9a43-3c2f4f0b2a11",42,` +
        `{"book":"RB","number":1,"suspect":false,"year":2569},"${'0'.repeat(64)}"]`,
    );
  });

  it('writes null for an event of no message and no letter, and pads microseconds below a thousand', () => {
    const bare = { ...event, atMicros: Date.parse('2026-02-02T03:00:00Z') * 1000 + 5, inboundId: null, letterId: null, detailJson: '{}' };
    expect(canonicalAuditEvent(bare)).toBe(
      `[7,"2026-02-02T03:00:00.000005Z","system","letter.registered",null,null,{},"${'0'.repeat(64)}"]`,
    );
  });

  it('is hashed as SHA-256 of its UTF-8 bytes in lower-case hex', () => {
    const thai = { ...event, detailJson: '{"reason": "ลับที่สุด"}' };
    expect(auditHash(thai)).toBe(
      createHash('sha256')
        .update(Buffer.from(canonicalAuditEvent(thai), 'utf8'))
        .digest('hex'),
    );
  });

  it('changes with any field of the event', () => {
    const changes: Partial<StoredAuditEvent>[] = [
      { seq: 8 },
      { atMicros: event.atMicros + 1 },
      { actor: 'officer:1' },
      { action: 'inbound.held' },
      { inboundId: null },
      { letterId: 43 },
      { detailJson: '{"book": "RB", "year": 2569, "number": 2, "suspect": false}' },
      { prevHash: 'f'.repeat(64) },
    ];
    const hashes = new Set([auditHash(event), ...changes.map((c) => auditHash({ ...event, ...c }))]);
    expect(hashes.size).toBe(changes.length + 1);
  });
});

describe('canonical JSON', () => {
  it('orders keys by their UTF-8 bytes, not by length (as jsonb does) nor by UTF-16 units (as sort() does)', () => {
    const value = parseLossless('{"😀": 1, "\uffff": 2, "bb": 3, "a": 4, "ab": 5}');
    expect(canonicalJson(value)).toBe('{"a":4,"ab":5,"bb":3,"\uffff":2,"😀":1}');
  });

  it('keeps numbers as they were written and nests without white space', () => {
    expect(canonicalJson(parseLossless('[1.50, 1e2, -3, {"x": [ ]}, "ข้อความ", true, null]'))).toBe(
      '[1.50,1e2,-3,{"x":[]},"ข้อความ",true,null]',
    );
  });
});
