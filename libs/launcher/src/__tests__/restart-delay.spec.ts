import { restartDelay } from '../launcher';

describe('restartDelay (the supervisor back-off)', () => {
  it('doubles from 0.5 s and stops at 30 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 20].map((n) => restartDelay(n))).toEqual([
      500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000,
    ]);
  });

  it('follows the given first and longest delays', () => {
    expect([1, 2, 3, 4].map((n) => restartDelay(n, { initialDelayMs: 200, maxDelayMs: 1_000 }))).toEqual([
      200, 400, 800, 1_000,
    ]);
  });
});
