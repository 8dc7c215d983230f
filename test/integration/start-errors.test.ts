import net from 'node:net';
import { flushPrefix, spawnSaraban, testConfig, useTestDatabase } from '../support/services';

// What an operator reads when the gateway cannot start: the setting to change, not a stack trace.
describe('the saraban command, when a port cannot be had', () => {
  const env = useTestDatabase();
  let taken: net.Server;
  let port: number;
  beforeAll(async () => {
    taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    port = (taken.address() as net.AddressInfo).port;
  });
  afterAll(() => new Promise((resolve) => taken.close(resolve)));

  it.each([
    [
      'gateway',
      'SARABAN_SMTP_PORT',
      /cannot listen for SMTP intake on 127\.0\.0\.1:\d+ \(EADDRINUSE\): .*set smtp\.port in the settings \(or SARABAN_SMTP_PORT\)/,
    ],
    [
      'desk',
      'SARABAN_DESK_PORT',
      /cannot listen for the desk on 127\.0\.0\.1:\d+ \(EADDRINUSE\): .*set desk\.port in the settings \(or SARABAN_DESK_PORT\)/,
    ],
  ])('names the setting when the %s port is in use, and exits 1', async (role, variable, said) => {
    const config = testConfig(env.db.url);
    const run = spawnSaraban([role], config, { [variable]: String(port) });
    try {
      expect(await run.exited).toBe(1);
      expect(run.output()).toMatch(said);
      expect(run.output()).not.toMatch(/\n\s+at /); // no stack trace
    } finally {
      run.child.kill('SIGKILL');
      await flushPrefix(config.redis.prefix);
    }
  });
});
