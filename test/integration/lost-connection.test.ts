import net, { type Socket } from 'node:net';
import type { PoolClient } from 'pg';
import { abandon, begin, copyBinaryRows, createPool, ensureDatabase, type Pool } from '../../registry/db';
import { findInboundWithRaw } from '../../registry/inbound';
import { createTestDatabase, type TestDatabase } from '../support/services';

// A connection can be lost while the code holds it (PostgreSQL restarted, a socket dropped):
// the work in hand fails and its job is retried; the process goes on.
describe('a PostgreSQL connection lost while it is lent out', () => {
  let db: TestDatabase;
  let pool: Pool;
  beforeAll(async () => {
    db = await createTestDatabase();
    pool = createPool(db.url, 1); // one connection: what follows must use a fresh one
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  const dropSocketOf = (client: PoolClient) => (client as unknown as { connection: { stream: Socket } }).connection.stream.destroy();
  const poolAnswers = async () => (await pool.query('SELECT 1 AS one')).rows[0].one as number;

  it('fails the COPY under way, not the process, and the pool connects afresh', async () => {
    pool.once('acquire', (client: PoolClient) => setTimeout(() => dropSocketOf(client), 200));
    await expect(copyBinaryRows(pool, 'SELECT pg_sleep(5)::text')).rejects.toThrow(/Connection terminated/);
    expect(await poolAnswers()).toBe(1);
  });

  it('fails the next statement of a transaction whose connection was lost between statements', async () => {
    const client = await begin(pool);
    dropSocketOf(client);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await expect(client.query('SELECT 1')).rejects.toThrow();
    await abandon(client);
    expect(await poolAnswers()).toBe(1);
  });

  it("passes on the server's refusal of a COPY and keeps working", async () => {
    await expect(findInboundWithRaw(pool, 'not-an-id')).rejects.toMatchObject({ code: '22P02' });
    await expect(copyBinaryRows(pool, 'SELECT 1 / (2 - g) FROM generate_series(1, 3) g')).rejects.toMatchObject({ code: '22012' });
    expect(await poolAnswers()).toBe(1);
  });
});

describe('PostgreSQL lost while start-up makes sure the database exists', () => {
  // Between the gateway and PostgreSQL: passes the connection's start-up through, then cuts it
  // when the first query is sent, as a PostgreSQL restarting at that moment would.
  let proxy: net.Server;
  let port: number;
  beforeAll(async () => {
    proxy = net.createServer((client) => {
      const server = net.connect(5432, '127.0.0.1');
      let messages = 0;
      client.on('data', (chunk) => (++messages === 1 ? server.write(chunk) : (client.destroy(), server.destroy())));
      server.on('data', (chunk) => client.write(chunk));
      client.on('error', () => server.destroy());
      server.on('error', () => client.destroy());
      server.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    port = (proxy.address() as net.AddressInfo).port;
  });
  afterAll(() => new Promise((resolve) => proxy.close(resolve)));

  it('fails the check, not the process', async () => {
    await expect(ensureDatabase(`postgres://postgres@127.0.0.1:${port}/saraban_lost`)).rejects.toThrow(/Connection terminated/);
  });
});
