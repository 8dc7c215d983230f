import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify as stringifyYaml } from 'yaml';
import { flushPrefix, testConfig, useTestDatabase, waitFor } from '../support/services';

const ROOT = path.resolve(__dirname, '../..');

/** The processes pid started, and theirs (Linux /proc). */
function descendantsOf(pid: number): number[] {
  const file = `/proc/${pid}/task/${pid}/children`;
  const children = existsSync(file) ? readFileSync(file, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number) : [];
  return children.flatMap((child) => [child, ...descendantsOf(child)]);
}

const alive = (pid: number) => existsSync(`/proc/${pid}`);

const answers = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

// README's `npm start`, as systemd, Docker or a terminal stops it: SIGTERM to npm itself.
describe('npm start', () => {
  const env = useTestDatabase();

  it('stops the gateway it started when npm gets SIGTERM, leaving no process and no port behind', async () => {
    // npm start runs the build that `npm ci` made (the prepare script).
    expect(existsSync(path.join(ROOT, 'dist/bin/saraban.js'))).toBe(true);
    const config = testConfig(env.db.url, { log: { level: 'info' } });
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'saraban-npm-start-')), 'saraban.yaml');
    writeFileSync(file, stringifyYaml(config));
    const npm = spawn('npm', ['start'], { cwd: ROOT, env: { ...process.env, SARABAN_CONFIG: file }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    npm.stdout.on('data', (d) => (output += d));
    npm.stderr.on('data', (d) => (output += d));
    const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)));
    let gateway: number[] = [];
    try {
      await waitFor(() => /"msg":"desk listening/.test(output), `the roles to start; output so far:\n${output}`, 60_000);
      const smtpPort = Number(output.match(/"port":(\d+),"addresses"/)![1]);
      const deskPort = Number(output.match(/"port":(\d+),"msg":"desk listening/)![1]);
      gateway = descendantsOf(npm.pid!);
      expect(gateway.length).toBeGreaterThan(0);
      expect(await answers(smtpPort)).toBe(true);

      npm.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(output).toMatch(/"msg":"stopped"/);
      expect(gateway.filter(alive)).toEqual([]);
      expect(await answers(smtpPort)).toBe(false);
      expect(await answers(deskPort)).toBe(false);
    } finally {
      npm.kill('SIGKILL');
      for (const pid of gateway.filter(alive)) process.kill(pid, 'SIGKILL');
      await flushPrefix(config.redis.prefix);
    }
  });
});
