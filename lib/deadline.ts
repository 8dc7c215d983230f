/** The promise's own outcome was not reached in time (the work itself may still finish). */
export class DeadlinePassed extends Error {
  override name = 'DeadlinePassed';
  constructor(readonly ms: number) {
    super(`no answer within ${ms} ms`);
  }
}

/**
 * Settles like the promise, or rejects with DeadlinePassed after ms: for waits on another
 * server (Redis at intake, DNS, health checks) that must not hold a letter or a reply up.
 */
export function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlinePassed(ms)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
