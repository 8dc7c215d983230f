import { readdirSync } from 'node:fs';
import os from 'node:os';
import type { Logger } from 'pino';

/**
 * Lowers this process's CPU priority to `niceness` (never raises it). Linux keeps a nice value
 * per thread and a new thread takes its creator's: the threads already running (V8's compiler
 * and garbage collector, libuv's pool) are set one by one, and threads started later follow the
 * main thread. Nice values weigh only among processes the kernel schedules as one group (one
 * session, or one cgroup under systemd or a container runtime).
 */
export function yieldCpu(niceness: number, logger: Logger): void {
  if (niceness <= 0) return;
  let threads: number[];
  try {
    threads = readdirSync('/proc/self/task').map(Number);
  } catch {
    threads = [0]; // not Linux: the whole process
  }
  let failed = 0;
  for (const thread of threads) {
    try {
      if (os.getPriority(thread) < niceness) os.setPriority(thread, niceness);
    } catch {
      failed++; // a thread that ended meanwhile, or a system that refuses
    }
  }
  const now = os.getPriority();
  if (now < niceness) {
    logger.warn({ niceness, now }, 'could not lower the CPU priority (workers.niceness); running as before');
  } else {
    logger.info(
      { niceness: now, threads: threads.length - failed },
      'running at a lower CPU priority, so that the SMTP edge answers first (workers.niceness)',
    );
  }
}
