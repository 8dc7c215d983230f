import { z } from 'zod';
import type { Officer } from '../../letter/access';
import { listReplies, releaseReplies, type ReplyListed } from '../../registry/replies';
import { officerActor } from '../../registry/work';
import { DeskError } from '../errors';
import { route, type DeskRoute, type RouteContext } from './route';
import { errorResponses } from './schemas';

// The replies the reply windows held back (or stopped as a loop), and their release: what
// `saraban replies list|release` does, for the desk's admin, with the same registry functions.
// Admin rather than supervisor: the list spans every unit's senders and letters (a supervisor
// sees their own units' only), and letting replies go loosens the gateway's guard against
// floods and loops, which is the operator's call.

/** Who may list and release held replies. */
export const REPLIES_ACCESS = 'admin' as const;

const ReplyItem = z
  .object({
    id: z.number().int(),
    kind: z.enum(['acknowledgement', 'notice', 'digest']),
    reason: z.string().nullable().describe("a notice's reason code (no-letter-attached, top-secret, duplicate, ...)"),
    status: z.enum(['pending', 'sent', 'failed', 'suppressed', 'held']),
    recipient: z.string().describe('the sender it goes back to'),
    withheld: z.string().nullable().describe('why it was held (a window, the hourly ceiling) or suppressed (a loop)'),
    tier: z.enum(['trusted', 'authenticated', 'unverified']).nullable().describe("the sender's tier, which picked its windows"),
    digestId: z.number().int().nullable().describe('the digest that listed it'),
    letter: z
      .object({ id: z.number().int(), book: z.string(), year: z.number().int(), number: z.number().int() })
      .nullable()
      .describe('the letter it answers; null for a message not registered, or a ลับ/ลับมาก letter the caller is not named for'),
    restricted: z.boolean().describe('it answers a ลับ or ลับมาก letter'),
    createdAt: z.date().describe('planned (held since)'),
    releasedAt: z.date().nullable(),
  })
  .meta({ id: 'HeldReply' });

/** A reply as the desk shows it: a restricted letter's number only to those named for secret mail. */
export function replyItem(r: ReplyListed, officer: Officer): z.output<typeof ReplyItem> {
  const shown = r.letterId !== null && r.number !== null && (!r.restricted || officer.secretClearance);
  return {
    id: r.id,
    kind: r.kind,
    reason: r.reason,
    status: r.status,
    recipient: r.recipient,
    withheld: r.withheld,
    tier: r.tier,
    digestId: r.digestId,
    letter: shown ? { id: r.letterId!, book: r.book!, year: r.year!, number: r.number! } : null,
    restricted: r.restricted,
    createdAt: r.createdAt,
    releasedAt: r.releasedAt,
  };
}

export const notHeld = (which: { id: number } | { sender: string }) =>
  'id' in which
    ? new DeskError(
        409,
        'not-held',
        `ตอบรับรายการที่ ${which.id} ไม่ได้ถูกกันไว้: อาจส่งไปแล้ว ปล่อยไปแล้ว หรือไม่มีรายการนี้ ` +
          `(reply ${which.id} is not held (nor suppressed): it was sent, released already, or does not exist)`,
      )
    : new DeskError(409, 'not-held', `ไม่มีตอบรับที่กันไว้สำหรับ ${which.sender} (no reply is held for ${which.sender})`);

/**
 * Lets held replies go as `saraban replies release` does (registry/replies.ts releaseReplies,
 * the officer named in the audit event), then queues them for the mail worker. Should the queue
 * be out of reach, they are pending in PostgreSQL and a worker's reconciler queues them.
 */
export async function releaseHeldReplies(
  ctx: RouteContext,
  officer: Officer,
  which: { id: number } | { sender: string },
): Promise<{ released: number[]; queued: boolean }> {
  const released = await releaseReplies(ctx.pool, which, ctx.clock(), officerActor(officer.username));
  if (released.length === 0) throw notHeld(which);
  let queued = true;
  for (const replyId of released) {
    await ctx.queueReply(replyId).catch((err: Error) => {
      queued = false;
      ctx.logger.warn({ err: err.message, replyId }, 'released reply not queued; the reconciler will');
    });
  }
  ctx.logger.info({ released, officer: officer.username }, 'held replies released at the desk');
  return { released, queued };
}

export function replyRoutes(ctx: RouteContext): DeskRoute[] {
  return [
    route({
      method: 'GET',
      url: '/api/replies',
      auth: REPLIES_ACCESS,
      schema: {
        summary: 'Replies not sent when planned: held back by a reply window, suppressed as a loop, released; and the digests',
        description: 'As `saraban replies list`. held=true: only those still held, which POST /api/replies/{id}/release lets go.',
        tags: ['replies'],
        querystring: z.strictObject({
          held: z
            .enum(['true', 'false'])
            .transform((v) => v === 'true')
            .default(false)
            .describe('true: only the replies still held'),
          sender: z.string().min(1).max(320).optional().describe('only those to this address (any letter case)'),
          limit: z.coerce.number().int().min(1).max(1000).default(200),
        }),
        response: { 200: z.object({ replies: z.array(ReplyItem).describe('newest first') }), ...errorResponses(400, 401, 403) },
      },
      async handler(request) {
        const { held, sender, limit } = request.query;
        const replies = await listReplies(ctx.pool, { held, sender, limit });
        return { replies: replies.map((r) => replyItem(r, request.officer)) };
      },
    }),

    route({
      method: 'POST',
      url: '/api/replies/:id/release',
      auth: REPLIES_ACCESS,
      schema: {
        summary: 'Send a held reply (or one suppressed as a loop) now, once',
        description: 'As `saraban replies release <id>`. 409 when it is not held: sent, released already, or no such reply.',
        tags: ['replies'],
        params: z.object({ id: z.coerce.number().int().positive().describe('the reply, from GET /api/replies') }),
        response: {
          200: z.object({
            released: z.array(z.number().int()),
            queued: z.boolean().describe("false: Redis was out of reach; a worker's reconciler sends it within reconciler.intervalMs"),
          }),
          ...errorResponses(400, 401, 403, 409),
        },
      },
      async handler(request) {
        return releaseHeldReplies(ctx, request.officer, { id: request.params.id });
      },
    }),
  ];
}
