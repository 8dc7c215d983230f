// The desk as bin/roles.ts builds it, on a test's own database and Redis prefix, for inject().
import type { FastifyInstance } from 'fastify';
import { startRoles, type Running } from '../../bin/roles';
import type { Config } from '../../config/load';
import { createMetrics } from '../../desk/metrics';
import { createDesk } from '../../desk/server';
import { hashPassword } from '../../desk/auth/password';
import { newApiToken, secretHash } from '../../desk/auth/secret';
import type { Role } from '../../letter/access';
import { addOfficer, createToken } from '../../registry/officers';
import type { Clock } from '../../registry/letters';
import { createQueues, jobCounts, producerConnection, queueReply } from '../../worker/queues';
import { addUnit, officersWithTokens } from './letters';
import { createTestDatabase, flushPrefix, silent, startRelay, testConfig, type Relay, type TestDatabase } from './services';

export interface TestDesk {
  app: FastifyInstance;
  config: Config;
  close(): Promise<void>;
}

/** beforeReady: given the app before its routes are added (to watch them with an onRoute hook). */
export async function startTestDesk(
  db: TestDatabase,
  overrides: Record<string, unknown> = {},
  clock?: Clock,
  beforeReady?: (app: FastifyInstance) => void,
): Promise<TestDesk> {
  const config = testConfig(db.url, overrides);
  const redis = producerConnection(config);
  const queues = createQueues(config, redis);
  const app = createDesk({
    config,
    pool: db.pool,
    redis,
    metrics: createMetrics({ pool: db.pool, queueCounts: () => jobCounts(queues) }),
    logger: silent,
    clock,
    queueReply: (id) => queueReply(queues, id),
    checkAnswers: true,
  });
  beforeReady?.(app);
  await app.ready();
  return {
    app,
    config,
    async close() {
      await app.close();
      await queues.close();
      await redis.quit().catch(() => redis.disconnect());
      await flushPrefix(config.redis.prefix);
    },
  };
}

let officers = 0;

/** Changes a test makes to the people directly, for their audit events. */
export const BY_THE_TEST = { actor: 'operator:test', at: new Date() };

/** A new officer with a password (and an API token), named uniquely within the test file. */
export async function makeOfficer(
  db: TestDatabase,
  role: Role = 'officer',
  extra: {
    password?: string;
    unitCode?: string;
    secretClearance?: boolean;
    checksMailbox?: boolean;
    name?: string;
    position?: string;
    phone?: string;
  } = {},
) {
  const username = `officer${++officers}`;
  const password = extra.password ?? `รหัสผ่าน-${username}-ยาวพอ`;
  const officer = await addOfficer(
    db.pool,
    {
      username,
      name: extra.name ?? `สมชาย ใจดี ${officers}`,
      position: extra.position,
      phone: extra.phone,
      role,
      unitCode: extra.unitCode,
      secretClearance: extra.secretClearance,
      checksMailbox: extra.checksMailbox,
      passwordHash: await hashPassword(password, { ln: 14, r: 8, p: 1 }),
    },
    BY_THE_TEST,
  );
  const token = newApiToken();
  const tokenId = await createToken(db.pool, username, secretHash(token), 'test', BY_THE_TEST);
  return { ...officer, password, token, tokenId };
}

/** The Accept header of a browser's page request: refusals answer as pages. */
export const BROWSER = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

/** Signs in through the sign-in form as a browser does; answers the session cookie as a Cookie header gives it. */
export async function signInAsBrowser(desk: TestDesk, who: { username: string; password: string }): Promise<string> {
  const res = await desk.app.inject({
    method: 'POST',
    url: '/login',
    headers: { ...BROWSER, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ username: who.username, password: who.password, next: '/' }).toString(),
  });
  expect(res.statusCode).toBe(303);
  const cookie = res.cookies.find((c) => c.name.endsWith('saraban-session'));
  return `${cookie!.name}=${cookie!.value}`;
}

/** The whole gateway (SMTP, workers, desk) on its own database, with its relay, its officers and their API tokens. */
export interface GatewayAndDesk {
  db: TestDatabase;
  relay: Relay;
  config: Config;
  app: Running;
  /** Each officer's API token, by username. */
  tokens: Record<string, string>;
}

/**
 * For a describe block: the units SARABAN (งานสารบรรณกลาง) and FIN (กองคลัง), these officers in
 * them with tokens, and the gateway with these routing settings, started before its tests and
 * stopped after (a test may put another `app` in its place).
 */
export function useGatewayAndDesk(officers: ReadonlyArray<readonly [username: string, unit: string]>, routing: object): GatewayAndDesk {
  const env = {} as GatewayAndDesk;
  beforeAll(async () => {
    env.db = await createTestDatabase();
    env.relay = await startRelay();
    await addUnit(env.db.pool, 'SARABAN', 'งานสารบรรณกลาง');
    await addUnit(env.db.pool, 'FIN', 'กองคลัง');
    env.tokens = await officersWithTokens(env.db.pool, officers);
    env.config = testConfig(env.db.url, { relay: { url: env.relay.url }, routing });
    env.app = await startRoles(['gateway', 'worker', 'desk'], env.config, silent);
  });
  afterAll(async () => {
    await env.app?.stop();
    await env.relay?.close();
    await env.db?.drop();
    if (env.config) await flushPrefix(env.config.redis.prefix);
  });
  return env;
}
