/**
 * How long to wait before trying again after `failures` failures in a row (1 after the first):
 * `baseMs` doubled per failure up to `maxMs`, then spread by `random` (in [0, 1): Math.random()
 * in use) to between half and one and a half times that, so that clients that failed together
 * do not all come back together.
 */
export function backoffDelay(failures: number, limits: { baseMs: number; maxMs: number }, random: number): number {
  return Math.min(limits.maxMs, limits.baseMs * 2 ** (failures - 1)) * (0.5 + random);
}
