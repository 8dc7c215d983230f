import type { Logger } from 'pino';
import type { Config } from '../config/load';
import { createDesk } from '../desk/server';
import { createMetrics } from '../desk/metrics';
import { intake } from '../gateway/intake';
import { withDeadline } from '../lib/deadline';
import { startImapFetcher } from '../gateway/imap';
import { createSmtpGateway } from '../gateway/smtp';
import { createPool, ensureDatabase, migrate, SERVING_OPTIONS } from '../registry/db';
import type { ArrivingMessage } from '../registry/inbound';
import { seedPeople } from '../registry/officers';
import type { Clock } from '../registry/letters';
import { startWorkers } from '../worker';
import type { DnsResolver } from '../worker/authenticity';
import { createQueues, jobCounts, producerConnection, queueLetter, queueReply } from '../worker/queues';

export type Role = 'gateway' | 'worker' | 'desk';

// On the way out, once the roles have stopped: Redis not answering must not keep the process.
const REDIS_CLOSE_MS = 2_000;

export interface Running {
  smtpPort?: number;
  deskPort?: number;
  /** Stops taking mail, finishes work in flight, closes every connection. */
  stop(): Promise<void>;
}

/** Creates the database and brings its schema up to date, with errors an operator can act on. */
export async function prepareDatabase(config: Config, logger: Logger): Promise<void> {
  await ensureDatabase(config.database.url).catch((err) =>
    logger.debug({ err: err.message }, 'could not check for the database via the postgres database; assuming it exists'),
  );
  const pool = createPool(config.database.url, 1);
  try {
    const applied = await migrate(pool);
    if (applied.length) logger.info({ applied }, 'database schema migrated');
  } catch (err) {
    await pool.end();
    throw new Error(
      `cannot prepare the register in PostgreSQL at ${redactUrl(config.database.url)}: ${(err as Error).message}. ` +
        'Check that PostgreSQL is running and set DATABASE_URL (or database.url in the settings file).',
      { cause: err },
    );
  }
  try {
    const seeded = await seedPeople(
      pool,
      config.units.map((u) => ({ code: u.code, name: u.name, parentCode: u.parent })),
      config.officers.map((o) => ({ ...o, unitCode: o.unit })),
      { actor: 'settings', at: new Date() },
    );
    if (seeded.units.length || seeded.officers.length) logger.info(seeded, 'units and officers from the settings added to the register');
  } catch (err) {
    throw new Error(`cannot add the units and officers of the settings to the register: ${(err as Error).message}`, { cause: err });
  } finally {
    await pool.end();
  }
}

/** A port that cannot be had, said as the setting to change. */
function listenFailed(what: string, at: { host: string; port: number }, setting: string, variable: string) {
  return (err: NodeJS.ErrnoException): never => {
    const where = `${at.host}:${at.port}`;
    const why =
      err.code === 'EADDRINUSE'
        ? `another program already listens on ${where}: stop it, or set ${setting}.port in the settings (or ${variable}) to a free port`
        : err.code === 'EACCES'
          ? `ports below 1024 need privileges: set ${setting}.port (or ${variable}) to 1024 or above, or give the service CAP_NET_BIND_SERVICE`
          : err.code === 'EADDRNOTAVAIL'
            ? `${at.host} is not an address of this machine: set ${setting}.host to one of its addresses, or 0.0.0.0 for all`
            : `check ${setting}.host and ${setting}.port (or ${variable})`;
    throw new Error(`cannot listen for ${what} on ${where} (${err.code ?? err.message}): ${why}`, { cause: err });
  };
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}

/** Composition: the one place that wires the parts together for the roles asked for. */
export interface RoleOptions {
  clock?: Clock;
  resolver?: DnsResolver;
  /** The IMAP edge's first wait before reconnecting (1 s); tests make it shorter. */
  imapReconnectBaseMs?: number;
}

export async function startRoles(roles: Role[], config: Config, logger: Logger, options: RoleOptions = {}): Promise<Running> {
  const { clock } = options;
  const pool = createPool(config.database.url, 20, SERVING_OPTIONS);
  const redis = producerConnection(config);
  redis.on('error', (err) => logger.warn({ err: err.message }, 'Redis connection error'));
  const queues = createQueues(config, redis);
  const metrics = createMetrics({ pool, queueCounts: () => jobCounts(queues) });
  const running: Running = { stop: async () => undefined };
  const stops: Array<() => Promise<void>> = [];

  if (roles.includes('gateway')) {
    const keep = (message: ArrivingMessage) =>
      intake({ pool, maxSizeBytes: config.smtp.maxSizeBytes, queueLetter: (id) => queueLetter(queues, id), logger }, message);
    const gateway = createSmtpGateway({
      config,
      logger: logger.child({ part: 'smtp' }),
      observer: metrics.intakeObserver,
      intake: keep,
      clock,
    });
    running.smtpPort = await gateway.listen().catch(listenFailed('SMTP intake', config.smtp, 'smtp', 'SARABAN_SMTP_PORT'));
    const fetchers = config.imap.map((mailbox) =>
      startImapFetcher({
        mailbox,
        config,
        pool,
        intake: keep,
        observer: metrics.intakeObserver,
        logger: logger.child({ part: 'imap' }),
        clock,
        reconnectBaseMs: options.imapReconnectBaseMs,
      }),
    );
    // Both edges stop taking mail together; each finishes the message in hand.
    stops.push(() => Promise.all([gateway.close(), ...fetchers.map((f) => f.stop())]).then(() => undefined));
    logger.info(
      { host: config.smtp.host, port: running.smtpPort, addresses: config.books.flatMap((b) => b.addresses) },
      'SMTP intake listening',
    );
  }
  if (roles.includes('worker')) {
    const workers = startWorkers(config, pool, logger.child({ part: 'worker' }), options);
    stops.push(() => workers.close());
    logger.info({ relay: redactUrl(config.relay.url) }, 'workers started');
  }
  if (roles.includes('desk')) {
    const desk = createDesk({
      config,
      pool,
      redis,
      metrics,
      logger: logger.child({ part: 'desk' }),
      clock,
      queueReply: (id) => queueReply(queues, id),
    });
    await desk
      .listen({ host: config.desk.host, port: config.desk.port })
      .catch(listenFailed('the desk', config.desk, 'desk', 'SARABAN_DESK_PORT'));
    const address = desk.server.address();
    running.deskPort = typeof address === 'object' && address ? address.port : config.desk.port;
    stops.push(() => desk.close());
    logger.info(
      { host: config.desk.host, port: running.deskPort },
      'desk listening (/healthz, /metrics, /login, /api; described at /api/docs)',
    );
  }

  let stopping: Promise<void> | null = null;
  running.stop = () =>
    // Once, however often it is asked (a signal during a test's own stop).
    (stopping ??= (async () => {
      // In order: no new mail, then finish the work in hand, then let go of the connections.
      for (const stop of stops) await stop();
      // The producer connection waits for Redis too; nothing of ours is left in it by now.
      await withDeadline(queues.close(), REDIS_CLOSE_MS).catch(() => redis.disconnect());
      await withDeadline(redis.quit(), REDIS_CLOSE_MS).catch(() => redis.disconnect());
      await pool.end();
    })());
  return running;
}
