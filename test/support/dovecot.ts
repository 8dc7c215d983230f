// A private Dovecot (Debian's dovecot-imapd) on a free 127.0.0.1 port, with a throw-away
// configuration and maildir written below (everything it needs is in this file). No mock IMAP server.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import { freePort, waitFor } from './services';

export const USER = 'clerk';
export const PASSWORD = 'secret';

const canConnect = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

export interface Dovecot {
  port: number;
  /** A connected client as the clerk, for putting messages in and looking at the result. */
  client(): Promise<ImapFlow>;
  /** Appends raw messages to a folder (created if missing). */
  append(folder: string, messages: Array<string | Buffer>): Promise<void>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startDovecot(): Promise<Dovecot> {
  const dir = mkdtempSync(path.join(tmpdir(), 'saraban-dovecot-'));
  // Dovecot's auth and mail processes run as other users: they must be able to enter the folder.
  chmodSync(dir, 0o755);
  const mailUid = Number(execFileSync('id', ['-u', 'mail']).toString().trim());
  const mailGid = Number(execFileSync('id', ['-g', 'mail']).toString().trim());
  const home = path.join(dir, 'home', USER);
  mkdirSync(home, { recursive: true, mode: 0o755 });
  chownSync(home, mailUid, mailGid);
  for (const d of ['run', 'state']) mkdirSync(path.join(dir, d));
  writeFileSync(path.join(dir, 'passwd'), `${USER}:{PLAIN}${PASSWORD}:${mailUid}:${mailGid}::${home}\n`);
  const port = await freePort();
  writeFileSync(
    path.join(dir, 'dovecot.conf'),
    `base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:~/Maildir
default_internal_user = dovecot
default_login_user = dovenull
first_valid_uid = 1
first_valid_gid = 1
passdb {
  driver = passwd-file
  args = ${dir}/passwd
}
userdb {
  driver = passwd-file
  args = ${dir}/passwd
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
`,
  );

  let process_: ChildProcess | null = null;
  const start = async () => {
    const child = spawn('dovecot', ['-F', '-c', path.join(dir, 'dovecot.conf')], { stdio: 'ignore' });
    process_ = child;
    await waitFor(() => canConnect(port), `Dovecot to listen on ${port}`, 15_000);
  };
  const stopProcess = async () => {
    const child = process_;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    await waitFor(async () => !(await canConnect(port)), 'Dovecot to stop listening', 15_000);
  };
  await start();

  const client = async () => {
    const c = new ImapFlow({ host: '127.0.0.1', port, secure: false, auth: { user: USER, pass: PASSWORD }, logger: false });
    c.on('error', () => undefined);
    await c.connect();
    return c;
  };

  return {
    port,
    client,
    async append(folder, messages) {
      const c = await client();
      try {
        await c.mailboxCreate(folder).catch(() => undefined);
        for (const m of messages) await c.append(folder, m);
      } finally {
        await c.logout();
      }
    },
    async restart() {
      await stopProcess();
      await start();
    },
    async stop() {
      await stopProcess();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
