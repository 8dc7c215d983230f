import { z } from 'zod';
import type { Officer } from '../../letter/access';
import { STAMP_STATES, stampedFileName, stampReasonText } from '../../letter/stamp';
import { LETTER_STATES, MOVE_NAMES, STATE_NAMES, type Action, type LetterState } from '../../letter/transitions';
import { findInboundWithRaw } from '../../registry/inbound';
import { findLetterDetail, findLetterFor, listHeldAndSuspect, listQueue, PAGE_SIZE, type QueueQuery } from '../../registry/queue';
import { findStampFor, stampedPdfOf, type StampRecord } from '../../registry/stamps';
import { performAction, type ActionResult, type WorkDeps } from '../../registry/work';
import { contentDisposition, fileInMessage } from '../attachments';
import type { DeskContext } from '../context';
import { DeskError } from '../errors';
import { route, type DeskRoute, type RouteContext } from './route';
import { ErrorBody, errorResponses } from './schemas';

// The letter side of the desk's API: the queue, one letter, its files and original message,
// the actions officers take, and the supervisor's list of held and suspect messages. Every
// letter is found through the caller's view (registry/queue.ts, registry/work.ts): one they
// may not see answers 404 whether or not it exists.

const URGENCIES = ['ด่วนที่สุด', 'ด่วนมาก', 'ด่วนภายใน', 'ด่วน'] as const;
const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');
const State = z
  .enum(LETTER_STATES)
  .describe('registered ลงรับแล้ว, assigned มอบหมาย, in_progress ดำเนินการ, waiting รอ, done เสร็จ, returned ส่งคืน, annulled ยกเลิก');

/** A list in a query parameter, comma-separated: ?state=assigned,in_progress */
const commaList = <T extends z.ZodType<unknown, string>>(item: T) =>
  z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter((x) => x !== ''),
    )
    .pipe(z.array(item));

export const LetterId = z.object({ id: z.coerce.number().int().positive().describe('the letter (its id in the register)') });

export const ListQuery = z.strictObject({
  state: commaList(State)
    .optional()
    .describe('states, comma-separated; the open ones (registered, assigned, in_progress, waiting) when not given'),
  urgency: commaList(z.enum(URGENCIES)).optional().describe('urgency markings (ชั้นความเร็ว), comma-separated'),
  from: IsoDate.optional().describe('received on or after this date (Bangkok)'),
  to: IsoDate.optional().describe('received on or before this date (Bangkok)'),
  agency: z.string().min(1).optional().describe('the sending agency (จาก) as the register names it'),
  book: z.string().min(1).optional(),
  year: z.coerce.number().int().min(2500).max(2700).optional().describe("the register's year, Buddhist era (พ.ศ.)"),
  mine: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional()
    .describe("true: only letters the caller holds by name (not their unit's)"),
  q: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('words to find in the reference, title or agency; Thai words need no spaces; Thai or Arabic digits'),
  limit: z.coerce.number().int().min(1).max(200).default(PAGE_SIZE),
  offset: z.coerce.number().int().min(0).default(0),
});

/** The list's query parameters as registry/queue.ts listQueue takes them (the API and the queue page alike). */
export function queueQuery(q: z.output<typeof ListQuery>): QueueQuery {
  return {
    states: q.state,
    urgencies: q.urgency,
    receivedFrom: q.from,
    receivedTo: q.to,
    agency: q.agency,
    book: q.book,
    year: q.year,
    mine: q.mine,
    search: q.q,
    limit: q.limit,
    offset: q.offset,
  };
}

const Person = z.object({ id: z.number().int(), username: z.string(), name: z.string() });
const UnitRef = z.object({ id: z.number().int(), code: z.string(), name: z.string() });

const QueueItem = z
  .object({
    id: z.number().int(),
    book: z.string(),
    year: z.number().int().describe('Buddhist era'),
    number: z.number().int().describe('เลขทะเบียนรับ'),
    registeredAt: z.date(),
    reference: z.string().nullable().describe('ที่, as written'),
    title: z.string().nullable().describe('เรื่อง'),
    subject: z.string(),
    letterDate: z.string().nullable().describe('ลงวันที่, read as a date (YYYY-MM-DD, CE)'),
    letterDateWritten: z.string().nullable().describe('ลงวันที่, as written on the letter'),
    agency: z.string().nullable().describe('จาก'),
    addressee: z.string().nullable().describe('ถึง (เรียน)'),
    urgency: z.string().nullable(),
    secrecy: z.string().nullable(),
    restricted: z.boolean(),
    suspect: z.boolean().describe('registered although the sender was shown forged'),
    circular: z.boolean(),
    toComplete: z.boolean().describe('no reference (ที่) or date (ลงวันที่) could be read: a clerk is to complete the entry'),
    attachmentCount: z.number().int(),
    state: State,
    stateName: z.string(),
    waitUntil: z.string().nullable(),
    deadline: z.date().nullable(),
    assignee: z.object({ unit: UnitRef.nullable(), officer: Person.nullable() }).nullable().describe('who holds it to act'),
  })
  .meta({ id: 'QueueItem' });

/** A page of the queue, as GET /api/letters answers it. */
export const QueuePageBody = z.object({
  items: z.array(QueueItem),
  total: z.number().int().describe('letters matching, over every page: at least this many when a state asked is in capped'),
  counts: z
    .record(State, z.number().int().nullable())
    .describe(
      'letters matching but for the state filter, per state. Without filters, every state exactly. With one (q, urgency, from, to, agency, book, year, mine): the open states, and a closed state (done, returned, annulled) when asked in state, each counted up to 1000; null for a state not counted',
    ),
  capped: z.array(State).describe('states whose count stopped at 1000: they hold more letters'),
  limit: z.number().int(),
  offset: z.number().int(),
});

const Attachment = z.object({
  n: z.number().int().describe('its place in the letter, from 1: GET /api/letters/{id}/attachments/{n}'),
  filename: z.string(),
  contentType: z.string(),
  size: z.number().int(),
  sha256: z.string(),
});

const StampState = z
  .enum(['pending', ...STAMP_STATES])
  .describe('pending: not made yet; stamped: GET the url; failed: could not be (reason says why); skipped: nothing to stamp (no PDF)');
const StampReasonCode = z
  .string()
  .nullable()
  .describe('why there is no stamped copy: pdf-encrypted, pdf-damaged, stamp-timeout, stamp-memory, stamp-failed, pdf-missing, no-pdf, ...');

const Stamp = z
  .object({
    state: StampState,
    reason: StampReasonCode,
    message: z.string().nullable().describe('the reason in Thai, as the letter page shows it'),
    url: z.string().nullable().describe('the stamped copy (GET, application/pdf); null when there is none'),
    attachment: z.number().int().nullable().describe('the file stamped (or that could not be): its n among the attachments'),
    stampedAt: z.date().nullable(),
  })
  .describe('the receipt stamp (ตรารับ): a copy of the first PDF with the stamp on page 1, the original unchanged')
  .meta({ id: 'Stamp' });

/** A letter's stamp as the API answers it. */
export function stampView(letterId: number, stamp: StampRecord | null): z.output<typeof Stamp> {
  if (!stamp) return { state: 'pending', reason: null, message: null, url: null, attachment: null, stampedAt: null };
  return {
    state: stamp.state,
    reason: stamp.reason,
    message: stamp.reason && stampReasonText(stamp.reason),
    url: stamp.state === 'stamped' ? `/api/letters/${letterId}/stamped` : null,
    attachment: stamp.attachment,
    stampedAt: stamp.stampedAt,
  };
}

export const LetterDetail = z
  .object({
    letter: z.object({
      id: z.number().int(),
      book: z.string(),
      year: z.number().int(),
      number: z.number().int(),
      registeredAt: z.date(),
      messageId: z.string().nullable(),
      fromAddress: z.string().nullable(),
      fromName: z.string().nullable(),
      subject: z.string(),
      reference: z.string().nullable(),
      circular: z.boolean(),
      letterDateWritten: z.string().nullable(),
      letterDate: z.string().nullable(),
      title: z.string().nullable(),
      titleGuessed: z.boolean(),
      addressee: z.string().nullable(),
      urgency: z.string().nullable(),
      urgencyDeadline: z.string().nullable(),
      secrecy: z.string().nullable(),
      agency: z.string().nullable(),
      restricted: z.boolean(),
      suspect: z.boolean(),
      flags: z.array(z.string()),
      forwardedBy: z.record(z.string(), z.unknown()).nullable(),
    }),
    authenticity: z
      .record(z.string(), z.unknown())
      .nullable()
      .describe('the verdict (authentic, forged, unverified) and its evidence: SPF, DKIM, DMARC'),
    attachments: z.array(Attachment),
    state: State,
    stateName: z.string(),
    waitUntil: z.string().nullable(),
    deadline: z.date().nullable(),
    assignments: z.array(
      z.object({
        id: z.number().int(),
        purpose: z.enum(['act', 'know']).describe('act เพื่อดำเนินการ, know เพื่อทราบ'),
        unit: UnitRef.nullable(),
        officer: Person.nullable(),
        source: z.enum(['routing', 'officer']),
        rule: z.string().nullable().describe('the routing rule that made it'),
        assignedBy: Person.nullable(),
        note: z.string().nullable(),
        createdAt: z.date(),
        endedAt: z.date().nullable(),
        endedHow: z.string().nullable(),
        endedBy: Person.nullable(),
      }),
    ),
    receipts: z.array(
      z.object({
        id: z.number().int(),
        kind: z.enum(['acknowledgement', 'notice']),
        reason: z.string().nullable(),
        status: z.enum(['sent', 'pending', 'failed', 'held', 'suppressed', 'bounced']),
        withheld: z.string().nullable().describe("why a sender's window held it for the digest, or it was suppressed"),
        recipient: z.string(),
        attempts: z.number().int(),
        lastError: z.string().nullable(),
        sentAt: z.date().nullable(),
        createdAt: z.date(),
      }),
    ),
    history: z.array(
      z.object({ id: z.number().int(), at: z.date(), actor: z.string(), action: z.string(), detail: z.record(z.string(), z.unknown()) }),
    ),
    stamp: Stamp,
  })
  .meta({ id: 'LetterDetail' });

const Assignee = z.union([
  z.strictObject({ unitId: z.number().int().positive() }),
  z.strictObject({ officerId: z.number().int().positive() }),
]);
const Purpose = z.enum(['act', 'know']).describe('act เพื่อดำเนินการ (one at a time), know เพื่อทราบ');
const Text = z.string().max(4000);

/** One action, as letter/transitions.ts's Action (the API's body; the letter's page parses its forms into it too). */
export const ActionBody = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('take') }),
    z.strictObject({ kind: z.literal('forward'), to: Assignee, purpose: Purpose.default('act'), note: Text.nullable().default(null) }),
    z.strictObject({
      kind: z.literal('order'),
      text: Text.describe('the order (เกษียณหนังสือ / สั่งการ), as the supervisor writes it'),
      assign: z
        .array(z.strictObject({ to: Assignee, purpose: Purpose }))
        .max(50)
        .default([]),
    }),
    z.strictObject({
      kind: z.literal('record'),
      text: Text.nullable().default(null).describe('what was done (การปฏิบัติ)'),
      replyNumber: z.string().max(200).nullable().default(null).describe('the number of our reply letter'),
    }),
    z.strictObject({ kind: z.literal('wait'), until: IsoDate.describe('wait until this date (CE)'), note: Text.nullable().default(null) }),
    z.strictObject({ kind: z.literal('return'), reason: Text.describe('mailed to the sender') }),
    z.strictObject({ kind: z.literal('annul'), reason: Text }),
    z.strictObject({ kind: z.literal('close'), note: Text.nullable().default(null) }),
    z.strictObject({ kind: z.literal('reopen'), reason: Text }),
    z.strictObject({ kind: z.literal('acknowledge') }),
    z.strictObject({
      kind: z.literal('complete'),
      reference: z.string().max(200).nullable().default(null).describe('ที่, as written on the letter'),
      letterDate: IsoDate.nullable().default(null).describe('ลงวันที่ (CE)'),
      title: z.string().max(1000).nullable().default(null).describe('เรื่อง'),
    }).describe('on a letter flagged to-complete: what the reading could not find; a field left null keeps what the register has'),
  ])
  .meta({ id: 'Action' });

export const notFound = () => new DeskError(404, 'not-found', 'ไม่พบหนังสือนี้ (no such letter, or not one you may see)');

/** A refused action as the desk answers it. */
function refusal(result: Exclude<ActionResult, { kind: 'done' }>): DeskError {
  switch (result.kind) {
    case 'not-found':
      return notFound();
    case 'forbidden':
      return new DeskError(403, 'forbidden', `ท่านไม่มีสิทธิ์${MOVE_NAMES[result.move].th}หนังสือนี้ (${result.message})`);
    case 'conflict':
      return new DeskError(
        409,
        'conflict',
        `${MOVE_NAMES[result.move].th}ไม่ได้ เนื่องจากหนังสืออยู่ในสถานะ ${STATE_NAMES[result.state]} (${result.message})`,
      );
    case 'invalid':
      return new DeskError(400, 'invalid', result.problems.join('; '));
  }
}

/**
 * One action on a letter, as the API and the letter's page take it: registry/work.ts
 * performAction, then the returned letter's notice queued. A refusal is thrown as the DeskError
 * to answer (400, 403, 404, 409).
 */
export function letterActions(ctx: DeskContext) {
  const { pool, config, clock, logger } = ctx;
  const work: WorkDeps = {
    pool,
    clock,
    replies: { limits: config.replies, host: config.smtp.hostname ?? config.agency.domain },
  };
  return async function act(officer: Officer, letterId: number, action: Action): Promise<{ state: LetterState; auditId: number }> {
    const result = await performAction(work, officer, letterId, action);
    if (result.kind !== 'done') throw refusal(result);
    if (result.replyId !== null) {
      // Planned in the action's transaction: the reconciler sends it should this fail.
      await ctx
        .queueReply(result.replyId)
        .catch((err: Error) =>
          logger.warn({ err: err.message, replyId: result.replyId }, 'returned notice not queued; the reconciler will'),
        );
    }
    return { state: result.state, auditId: result.auditId };
  };
}

export function letterRoutes(ctx: RouteContext): DeskRoute[] {
  const { pool } = ctx;
  const act = letterActions(ctx);

  return [
    route({
      method: 'GET',
      url: '/api/letters',
      auth: 'officer',
      schema: {
        summary: 'The letters the caller may see: open ones by default, most urgent first, then nearest deadline, then oldest',
        tags: ['letters'],
        querystring: ListQuery,
        response: {
          200: QueuePageBody,
          ...errorResponses(400, 401),
        },
      },
      async handler(request) {
        const q = request.query;
        const page = await listQueue(pool, request.officer, queueQuery(q));
        return { ...page, limit: q.limit, offset: q.offset };
      },
    }),

    route({
      method: 'GET',
      url: '/api/letters/:id',
      auth: 'officer',
      schema: {
        summary: 'One letter: the register, its authenticity, what the sender was sent, who has had it, its history',
        tags: ['letters'],
        params: LetterId,
        response: { 200: LetterDetail, ...errorResponses(400, 401, 404) },
      },
      async handler(request) {
        const detail = await findLetterDetail(pool, request.officer, request.params.id);
        if (!detail) throw notFound();
        const { letter } = detail;
        return {
          ...detail,
          letter: { ...letter, flags: [...letter.flags], forwardedBy: (letter.forwardedBy as Record<string, unknown> | null) ?? null },
          authenticity: (letter.authenticity as Record<string, unknown> | null) ?? null,
          attachments: letter.attachments.map((a, i) => ({ n: i + 1, ...a })),
          stamp: stampView(letter.id, detail.stamp),
        };
      },
    }),

    route({
      method: 'POST',
      url: '/api/letters/:id/actions',
      auth: 'officer',
      schema: {
        summary: 'One action on a letter: take, forward, order, record, wait, return, annul, close, reopen, acknowledge, complete',
        description:
          "403 when the action is not the caller's to take (an officer cannot annul; only the holder acts), " +
          "409 when the letter's state does not allow it now (or, for complete, the letter is not flagged to-complete), " +
          '404 when the caller may not see the letter.',
        tags: ['letters'],
        params: LetterId,
        body: ActionBody,
        response: {
          200: z.object({ state: State, stateName: z.string(), event: z.number().int().describe('its audit event') }),
          ...errorResponses(400, 401, 403, 404, 409),
        },
      },
      async handler(request) {
        const done = await act(request.officer, request.params.id, request.body as Action);
        return { state: done.state, stateName: STATE_NAMES[done.state], event: done.auditId };
      },
    }),

    route({
      method: 'GET',
      url: '/api/letters/:id/attachments/:n',
      auth: 'officer',
      schema: {
        summary: "One of the letter's files, exactly as it came (a PDF shown inline)",
        tags: ['letters'],
        params: LetterId.extend({ n: z.coerce.number().int().positive() }),
        response: { 200: z.any().describe("the file's bytes, with its own content type"), ...errorResponses(400, 401, 404) },
      },
      async handler(request, reply) {
        const letter = await findLetterFor(pool, request.officer, request.params.id);
        const listed = letter?.attachments[request.params.n - 1];
        if (!letter || !listed) throw notFound();
        const kept = await findInboundWithRaw(pool, letter.inboundId);
        const file = kept && (await fileInMessage(kept.raw, listed.sha256));
        if (!file) throw new DeskError(404, 'not-found', 'ไม่พบไฟล์นี้ในข้อความที่เก็บไว้ (the file is not in the message as kept)');
        return reply
          .type(listed.contentType || 'application/octet-stream')
          .header('content-disposition', contentDisposition(listed.filename, listed.contentType))
          .header('x-content-type-options', 'nosniff')
          .send(file);
      },
    }),

    route({
      method: 'GET',
      url: '/api/letters/:id/stamped',
      auth: 'officer',
      schema: {
        summary: "The letter's first PDF with the receipt stamp (ตรารับ) on page 1, shown inline; the original stays as it came",
        description:
          '404 with code not-stamped (and the stamp\'s state and reason) when the letter has no stamped copy: not yet, ' +
          'none to make (no PDF), or it could not be made (an encrypted or damaged PDF); 404 not-found when the caller may not see the letter.',
        tags: ['letters'],
        params: LetterId,
        response: {
          200: z.any().describe('application/pdf: the stamped copy'),
          404: ErrorBody.extend({ state: StampState.optional(), reason: StampReasonCode.optional() }),
          ...errorResponses(400, 401),
        },
      },
      async handler(request, reply) {
        const found = await findStampFor(pool, request.officer, request.params.id);
        if (!found) throw notFound();
        const { letter } = found;
        const pdf = found.stamp?.state === 'stamped' ? await stampedPdfOf(pool, letter.id) : null;
        if (!pdf) {
          const stamp = stampView(letter.id, found.stamp);
          const why = stamp.message ?? 'ยังไม่ได้ประทับตรารับ';
          return reply.code(404).send({
            code: 'not-stamped',
            message: `ไม่มีฉบับประทับตรารับของหนังสือนี้: ${why} (no stamped copy: ${stamp.state})`,
            state: stamp.state,
            reason: stamp.reason,
          });
        }
        const original = letter.attachments[(found.stamp?.attachment ?? 1) - 1];
        return reply
          .type('application/pdf')
          .header('content-disposition', contentDisposition(stampedFileName(original?.filename ?? ''), 'application/pdf'))
          .header('x-content-type-options', 'nosniff')
          .send(pdf);
      },
    }),

    route({
      method: 'GET',
      url: '/api/letters/:id/original',
      auth: 'officer',
      schema: {
        summary: 'The message the letter came in, byte for byte as it arrived (.eml)',
        tags: ['letters'],
        params: LetterId,
        response: { 200: z.any().describe('message/rfc822: the message as it arrived'), ...errorResponses(400, 401, 404) },
      },
      async handler(request, reply) {
        const letter = await findLetterFor(pool, request.officer, request.params.id);
        const kept = letter && (await findInboundWithRaw(pool, letter.inboundId));
        if (!letter || !kept) throw notFound();
        const name = `${letter.book}-${letter.number}-${letter.year}.eml`;
        return reply
          .type('message/rfc822')
          .header('content-disposition', `attachment; filename="${name.replace(/[^\x20-\x7e]|["\\]/g, '_')}"`)
          .send(kept.raw);
      },
    }),

    route({
      method: 'GET',
      url: '/api/held',
      auth: 'supervisor',
      schema: {
        summary: 'Messages held and not registered (ลับที่สุด: for those named for secret mail) and letters registered as suspect',
        tags: ['letters'],
        querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
        response: {
          200: z.object({
            held: z.array(
              z.object({
                inboundId: z.string(),
                receivedAt: z.date(),
                mailFrom: z.string().nullable(),
                decision: z.record(z.string(), z.unknown()).describe('what was decided and why, and what the message said'),
                noticeStatus: z.string().nullable().describe('the notice the sender was sent'),
              }),
            ),
            suspect: z.array(
              z.object({
                id: z.number().int(),
                book: z.string(),
                year: z.number().int(),
                number: z.number().int(),
                registeredAt: z.date(),
                subject: z.string(),
                fromAddress: z.string().nullable(),
                authenticity: z.record(z.string(), z.unknown()).nullable().describe('why it is suspect: the verdict and its evidence'),
                state: State,
              }),
            ),
          }),
          ...errorResponses(400, 401, 403),
        },
      },
      async handler(request) {
        return listHeldAndSuspect(pool, request.officer, request.query.limit);
      },
    }),
  ];
}
