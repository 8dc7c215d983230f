import type { Redis } from 'ioredis';
import { withDeadline } from '../../lib/deadline';
import { listMailboxStatus } from '../../registry/imap';
import { route, type DeskRoute, type RouteContext } from './route';

const CHECK_TIMEOUT_MS = 2_000;

async function check(probe: () => Promise<unknown>): Promise<{ ok: boolean; error?: string }> {
  try {
    await withDeadline(probe(), CHECK_TIMEOUT_MS);
    return { ok: true };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

/** The shared connection fails fast while it is not connected, so wait for it to be ready first. */
async function pingRedis(redis: Redis): Promise<unknown> {
  if (redis.status !== 'ready') {
    await new Promise<void>((resolve, reject) => {
      redis.once('ready', resolve);
      setTimeout(() => {
        redis.off('ready', resolve);
        reject(new Error(`Redis is ${redis.status}`));
      }, CHECK_TIMEOUT_MS).unref();
    });
  }
  return redis.ping();
}

/** For the operator and the orchestrator: public, and they must answer while PostgreSQL is away. */
export function healthRoutes({ pool, redis, metrics }: RouteContext): DeskRoute[] {
  return [
    route({
      method: 'GET',
      url: '/healthz',
      auth: 'public',
      schema: { summary: 'Whether PostgreSQL and Redis answer, and the state of each IMAP mailbox', tags: ['operator'] },
      async handler(_request, reply) {
        const [postgresql, redisCheck] = await Promise.all([check(() => pool.query('SELECT 1')), check(() => pingRedis(redis))]);
        const ok = postgresql.ok && redisCheck.ok;
        // Mailboxes are detail: another server being away is reported, not a reason to restart us.
        const imap = postgresql.ok ? await withDeadline(listMailboxStatus(pool), CHECK_TIMEOUT_MS).catch(() => []) : [];
        return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', postgresql, redis: redisCheck, imap });
      },
    }),
    route({
      method: 'GET',
      url: '/metrics',
      auth: 'public',
      schema: { summary: 'Prometheus metrics', tags: ['operator'] },
      async handler(_request, reply) {
        try {
          const body = await withDeadline(metrics.registry.metrics(), 5_000);
          return reply.type(metrics.registry.contentType).send(body);
        } catch (err) {
          return reply
            .code(503)
            .type('text/plain')
            .send(`metrics unavailable: ${(err as Error).message}\n`);
        }
      },
    }),
  ];
}
