import { backoffDelay } from '../../../lib/backoff';

const limits = { baseMs: 1_000, maxMs: 60_000 };

describe('backoffDelay', () => {
  it('doubles the wait with each failure in a row until it reaches the ceiling, and stays there', () => {
    const waits = [1, 2, 3, 4, 5, 6, 7, 8, 20].map((failures) => backoffDelay(failures, limits, 0.5));
    expect(waits).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000]);
  });

  it('spreads each wait between half and one and a half times its step', () => {
    expect(backoffDelay(3, limits, 0)).toBe(2_000);
    expect(backoffDelay(3, limits, 0.25)).toBe(3_000);
    expect(backoffDelay(3, limits, 0.999)).toBeCloseTo(5_996);
    expect(backoffDelay(10, limits, 0)).toBe(30_000);
    expect(backoffDelay(10, limits, 0.999)).toBeCloseTo(89_940);
  });

  it('starts from the base it is given', () => {
    expect([1, 2, 3].map((failures) => backoffDelay(failures, { baseMs: 50, maxMs: 150 }, 0.5))).toEqual([50, 100, 150]);
  });
});
