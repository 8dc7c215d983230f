import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config/load';
import { withDeadline } from '../lib/deadline';
import type { Pool } from '../registry/db';
import { listMailboxStatus } from '../registry/imap';
import type { Metrics } from './metrics';

export interface DeskDeps {
  config: Config;
  pool: Pool;
  redis: Redis;
  metrics: Metrics;
  logger: Logger;
}

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

/** The desk's HTTP server. For now: health and metrics for the operator. */
export function createDesk(deps: DeskDeps): FastifyInstance {
  // Requests at warn and above only: a Prometheus scrape every few seconds is not news.
  const app = Fastify({ loggerInstance: deps.logger.child({}, { level: 'warn' }) as FastifyBaseLogger });

  app.get('/healthz', async (_request, reply) => {
    const [postgresql, redis] = await Promise.all([check(() => deps.pool.query('SELECT 1')), check(() => pingRedis(deps.redis))]);
    const ok = postgresql.ok && redis.ok;
    // Mailboxes are detail: another server being away is reported, not a reason to restart us.
    const imap = postgresql.ok ? await withDeadline(listMailboxStatus(deps.pool), CHECK_TIMEOUT_MS).catch(() => []) : [];
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', postgresql, redis, imap });
  });

  app.get('/metrics', async (_request, reply) => {
    try {
      const body = await withDeadline(deps.metrics.registry.metrics(), 5_000);
      return reply.type(deps.metrics.registry.contentType).send(body);
    } catch (err) {
      return reply
        .code(503)
        .type('text/plain')
        .send(`metrics unavailable: ${(err as Error).message}\n`);
    }
  });

  return app;
}
