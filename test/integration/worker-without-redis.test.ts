import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '../../devkit/processes';
import { spawnSaraban, testConfig, useTestDatabase, waitFor } from '../support/services';

const ended = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;
const exitOf = (child: ChildProcess) => new Promise<void>((resolve) => (ended(child) ? resolve() : child.once('exit', () => resolve())));

// systemd or Docker stops a worker while Redis is away: it must go, not wait for Redis for ever
// (the work is in PostgreSQL, and the reconciler queues it again).
describe('saraban worker stopped while Redis is down', () => {
  const env = useTestDatabase();
  let redis: ChildProcess;
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    // A Redis of this test's own, so that it can be stopped.
    redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await new Promise((resolve) => setTimeout(resolve, 300));
  });
  afterAll(async () => {
    if (!ended(redis)) redis.kill('SIGKILL');
    await exitOf(redis);
  });

  it('exits 0 within its close timeout on SIGTERM, saying it leaves without Redis', async () => {
    const config = testConfig(env.db.url, {
      redis: { url: `redis://127.0.0.1:${port}`, prefix: 'down' },
      workers: { closeTimeoutMs: 2_000 },
      log: { level: 'info' },
    });
    const worker = spawnSaraban(['worker'], config);
    try {
      await worker.printed(/workers started/, 'the worker to start');
      redis.kill('SIGKILL');
      await exitOf(redis);
      await worker.printed(/Redis connection error/, 'the worker to lose Redis');
      worker.child.kill('SIGTERM');
      // Bounded here, so that a worker that never goes fails this test instead of outliving it.
      const gaveUp = new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 20_000).unref());
      expect(await Promise.race([worker.exited, gaveUp])).toBe(0);
      expect(worker.output()).toMatch(/stopping without Redis, which did not answer/);
      expect(worker.output()).toMatch(/"msg":"stopped"/);
    } finally {
      worker.child.kill('SIGKILL');
      await waitFor(() => ended(worker.child), 'the worker to end');
    }
  });
});
