// A register and queues of the run's own: a fresh PostgreSQL database and a Redis key prefix,
// both removed at the end, so a run neither sees nor leaves anything behind.
import { randomBytes } from 'node:crypto';
import IORedis from 'ioredis';
import pg from 'pg';
import { createPool, migrate } from '../registry/db';

export const runName = (prefix: string) => `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;

export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

/** Creates the database and its schema; `adminUrl` names a database to connect to meanwhile. */
export async function createScratchDatabase(adminUrl: string, name: string): Promise<ScratchDatabase> {
  await withAdmin(adminUrl, (admin) => admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  // Migrated here, once, rather than by the gateway and the worker racing at start-up.
  const pool = createPool(url.toString(), 1);
  try {
    await migrate(pool);
  } finally {
    await pool.end();
  }
  return {
    url: url.toString(),
    drop: () =>
      withAdmin(adminUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`)).then(
        () => undefined,
      ),
  };
}

async function withAdmin<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.end();
  }
}

/** Deletes every key under the prefix (the BullMQ queues of this run). Returns how many. */
export async function deleteRedisPrefix(redisUrl: string, prefix: string): Promise<number> {
  const redis = new IORedis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    let removed = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) removed += await redis.del(...keys);
    } while (cursor !== '0');
    return removed;
  } finally {
    await redis.quit().catch(() => redis.disconnect());
  }
}
