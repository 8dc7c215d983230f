import { z } from 'zod';
import { LetterDetail, QueuePageBody } from '../../../desk/api/letters';
import { serializerCompiler } from '../../../desk/api/serializer';

// The desk writes its answers with fast-json-stringify, compiled from the zod response schemas
// (desk/api/serializer.ts). What it writes must be what zod's encoding and JSON.stringify wrote
// before, for every kind of field the schemas hold: dates, nulls, nested objects that may be
// null, records, and free-form evidence.

const serializer = (schema: z.ZodType, check = false) =>
  serializerCompiler({ check })({ schema, method: 'GET', url: '/api/test', httpStatus: '200' }) as (data: unknown) => string;
const asZodWrote = (schema: z.ZodType, data: unknown) => JSON.stringify(z.encode(schema, data));

const registeredAt = new Date('2026-12-04T07:30:00.123Z');

function queueItem(id: number, over: Record<string, unknown> = {}) {
  return {
    id,
    book: 'RB',
    year: 2569,
    number: 1000 + id,
    registeredAt,
    reference: 'ที่ มท ๐๒๐๑.๒/ว ๕๙๕๑',
    title: 'ขอเชิญประชุมคณะกรรมการ "พัฒนา" \\ ครั้งที่ 3/2569',
    subject: 'ขอเชิญประชุม\nบรรทัดที่สอง',
    letterDate: '2026-12-01',
    letterDateWritten: '๑ ธันวาคม ๒๕๖๙',
    agency: 'กระทรวงมหาดไทย',
    addressee: null,
    urgency: 'ด่วนที่สุด',
    secrecy: null,
    restricted: false,
    suspect: true,
    circular: false,
    toComplete: false,
    attachmentCount: 2,
    state: 'assigned',
    stateName: 'มอบหมาย',
    waitUntil: null,
    deadline: new Date('2026-12-10T09:00:00Z'),
    assignee: { unit: { id: 3, code: 'FIN', name: 'กองคลัง' }, officer: null },
    ...over,
  };
}

const page = {
  items: [
    queueItem(1),
    queueItem(2, { deadline: null, assignee: null, urgency: null, reference: null }),
    queueItem(3, { assignee: { unit: null, officer: { id: 7, username: 'somchai', name: 'สมชาย ใจดี' } } }),
  ],
  total: 7100,
  counts: { registered: 0, assigned: 2108, in_progress: 3581, waiting: 1528, done: 1000, returned: null, annulled: null },
  capped: ['done'],
  limit: 50,
  offset: 0,
};

describe('the desk serializer', () => {
  it('writes a page of the queue as zod and JSON.stringify did: dates as ISO text, nulls, nested objects or null, counts', () => {
    const written = serializer(QueuePageBody)(page);
    expect(written).toBe(asZodWrote(QueuePageBody, page));
    expect(JSON.parse(written).items[0].registeredAt).toBe('2026-12-04T07:30:00.123Z');
  });

  it("writes one letter's detail as zod did, its evidence and history details in whatever shape they were kept", () => {
    const detail = {
      letter: {
        id: 1,
        book: 'RB',
        year: 2569,
        number: 1001,
        registeredAt,
        messageId: '<a@moe.go.th>',
        fromAddress: 'saraban@moe.go.th',
        fromName: null,
        subject: 'ขอเชิญประชุม',
        reference: null,
        circular: true,
        letterDateWritten: null,
        letterDate: null,
        title: 'ขอเชิญประชุม',
        titleGuessed: true,
        addressee: null,
        urgency: null,
        urgencyDeadline: null,
        secrecy: null,
        agency: null,
        restricted: false,
        suspect: false,
        flags: ['to-complete'],
        forwardedBy: { address: 'clerk@moe.go.th', at: '2026-12-04', hops: [1, { by: 'x' }] },
      },
      authenticity: { verdict: 'authentic', dkim: [{ domain: 'moe.go.th', result: 'pass' }], spf: null },
      attachments: [{ n: 1, filename: 'หนังสือ.pdf', contentType: 'application/pdf', size: 1234, sha256: 'ab'.repeat(32) }],
      state: 'done',
      stateName: 'เสร็จ',
      waitUntil: null,
      deadline: null,
      assignments: [
        {
          id: 9,
          purpose: 'act',
          unit: null,
          officer: { id: 7, username: 'somchai', name: 'สมชาย ใจดี' },
          source: 'routing',
          rule: 'budget',
          assignedBy: null,
          note: null,
          createdAt: registeredAt,
          endedAt: null,
          endedHow: null,
          endedBy: null,
        },
      ],
      receipts: [],
      history: [{ id: 4, at: registeredAt, actor: 'somchai', action: 'take', detail: { note: 'รับไปดำเนินการ', list: [1, 'ก', null], nested: { a: true } } }],
      stamp: { state: 'pending', reason: null, message: null, url: null, attachment: null, stampedAt: null },
    };
    expect(serializer(LetterDetail)(detail)).toBe(asZodWrote(LetterDetail, detail));
    const stamped = { ...detail, authenticity: null, letter: { ...detail.letter, forwardedBy: null } };
    expect(serializer(LetterDetail)(stamped)).toBe(asZodWrote(LetterDetail, stamped));
  });

  it('leaves out what the schema does not name, so a field added to a row by mistake never leaves the desk', () => {
    const leaky = { ...page, passwordHash: 'x', items: [{ ...queueItem(1), secretNote: 'ลับมาก' }] };
    const written = serializer(QueuePageBody)(leaky);
    expect(written).not.toContain('passwordHash');
    expect(written).not.toContain('secretNote');
    expect(written).toBe(asZodWrote(QueuePageBody, { ...page, items: [queueItem(1)] }));
  });

  it('refuses an answer missing a field the schema requires (the desk answers 500), rather than writing it without', () => {
    const untitled: Record<string, unknown> = queueItem(1);
    delete untitled.title;
    expect(() => serializer(QueuePageBody)({ ...page, items: [untitled] })).toThrow(/title/);
    expect(() => serializer(QueuePageBody)({ ...page, items: [{ ...queueItem(1), id: 'not a number' }] })).toThrow();
  });

  it("writes a value that does not fit as it can (a null where the schema says false), unless asked to check: the tests' desks refuse it", () => {
    const wrong = { ...page, items: [{ ...queueItem(1), restricted: null, number: 1.5 }] };
    expect(JSON.parse(serializer(QueuePageBody)(wrong)).items[0]).toMatchObject({ restricted: false, number: 1 });
    expect(() => serializer(QueuePageBody, true)(wrong)).toThrow(/restricted|number/);
    expect(serializer(QueuePageBody, true)(page)).toBe(asZodWrote(QueuePageBody, page));
  });
});
