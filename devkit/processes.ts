// The processes under test: started as the operator would start them, watched through /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import net from 'node:net';
import readline from 'node:readline';

/** A port nobody listens on right now: the system picks one, we let it go and hand it on. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface Child {
  name: string;
  process: ChildProcess;
  /** Resolves with the exit code (or signal name) when the process ends. */
  exited: Promise<number | string>;
}

/** Starts `node [...nodeArgs] <script> ...args`; its output goes to our stderr, each line marked with its name. */
export function startChild(name: string, script: string, args: string[], env: NodeJS.ProcessEnv, nodeArgs: string[] = []): Child {
  const child = spawn(process.execPath, [...nodeArgs, script, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [child.stdout!, child.stderr!]) {
    readline.createInterface({ input: stream }).on('line', (line) => process.stderr.write(`[${name}] ${line}\n`));
  }
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return { name, process: child, exited };
}

/** Waits until the port takes connections; fails early if the process dies first. */
export async function waitForPort(child: Child, port: number, timeoutMs = 30_000): Promise<void> {
  let exitedWith: number | string | undefined;
  void child.exited.then((code) => (exitedWith = code));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exitedWith !== undefined) throw new Error(`${child.name} exited (${exitedWith}) before listening on port ${port}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`${child.name} did not listen on port ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The process's peak resident set (VmHWM) in KiB, while it is still alive. */
export function peakRssKiB(pid: number): number | null {
  try {
    const match = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmHWM:\s+(\d+) kB/m);
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

// Linux reports CPU time in clock ticks; USER_HZ is 100 on every Linux we run on.
const TICKS_PER_SECOND = 100;

/** CPU time (user + system) the process has used so far, in seconds. */
export function cpuSeconds(pid: number): number | null {
  try {
    return cpuTicksOfStat(readFileSync(`/proc/${pid}/stat`, 'utf8')) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/**
 * The fields of a /proc/<pid>/stat (or .../task/<tid>/stat) line from the third on: the command
 * name before them may hold spaces and parentheses, so they are counted after the last ')'.
 * Field n of proc(5) is at index n - 3.
 */
export function statFields(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

function cpuTicksOfStat(stat: string): number {
  const fields = statFields(stat);
  return Number(fields[11]) + Number(fields[12]); // utime, stime
}

/** CPU seconds used so far by every live process with this command name (e.g. redis-server). */
export function cpuSecondsOfCommand(command: string): number {
  let ticks = 0;
  for (const { stat } of processesNamed(command)) ticks += cpuTicksOfStat(stat);
  return ticks / TICKS_PER_SECOND;
}

function* processesNamed(command: string): Generator<{ pid: string; stat: string }> {
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) === command) yield { pid, stat };
    } catch {
      // the process ended while we looked
    }
  }
}

/**
 * Follows the CPU time of processes that come and go - the PostgreSQL backends serving one
 * database - by polling /proc and keeping each one's last reading, so a backend that closes
 * (a pool letting an idle connection go) still counts. `seconds()` only ever grows.
 */
export function followCpu(command: string, cmdlineIncludes: string, intervalMs = 250): { seconds(): number; stop(): void } {
  const lastTicks = new Map<string, number>();
  const poll = () => {
    for (const { pid, stat } of processesNamed(command)) {
      try {
        // PostgreSQL writes "postgres: <user> <database> <client> <state>" over its command line.
        if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(cmdlineIncludes)) continue;
      } catch {
        continue;
      }
      // Keyed by pid and start time: a pid may be used again by a new backend.
      const startTime = statFields(stat)[19];
      lastTicks.set(`${pid}:${startTime}`, cpuTicksOfStat(stat));
    }
  };
  poll();
  const timer = setInterval(poll, intervalMs);
  timer.unref();
  return {
    seconds() {
      poll();
      let ticks = 0;
      for (const t of lastTicks.values()) ticks += t;
      return ticks / TICKS_PER_SECOND;
    },
    stop: () => clearInterval(timer),
  };
}

/** Busy and total CPU time of the whole machine so far (all cores), from /proc/stat. */
export function machineCpu(): { busy: number; total: number } {
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  // user nice system idle iowait irq softirq steal; guest time is already inside user.
  const ticks = fields.slice(0, 8).map(Number);
  const total = ticks.reduce((a, b) => a + b, 0);
  const idle = ticks[3] + (ticks[4] ?? 0); // idle + iowait
  return { busy: (total - idle) / TICKS_PER_SECOND, total: total / TICKS_PER_SECOND };
}

export interface Stopped {
  peakRssKiB: number | null;
  cpuSeconds: number | null;
  exitCode: number | string;
}

/**
 * Reads the figures /proc forgets at exit, then asks the process to stop as an operator
 * would (SIGTERM: finish the work in hand). A process that will not stop is killed.
 */
export async function stopChild(child: Child, timeoutMs = 30_000): Promise<Stopped> {
  const pid = child.process.pid!;
  const figures = { peakRssKiB: peakRssKiB(pid), cpuSeconds: cpuSeconds(pid) };
  if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGTERM');
  const timer = setTimeout(() => child.process.kill('SIGKILL'), timeoutMs);
  const exitCode = await child.exited;
  clearTimeout(timer);
  return { ...figures, exitCode };
}
