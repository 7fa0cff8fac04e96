import { isSuccess } from '../webhook-dispatcher';
import { nextRetryDelayMs } from '../retry-schedule';

const schedule = { maxAttempts: 6, baseDelayMs: 1_000, maxDelayMs: 10_000 };

describe('the retry schedule (exponential backoff with jitter)', () => {
  it('doubles from the base up to the max, between half the step and all of it', () => {
    const low = [1, 2, 3, 4, 5].map((n) => nextRetryDelayMs(n, schedule, () => 0));
    const high = [1, 2, 3, 4, 5].map((n) => nextRetryDelayMs(n, schedule, () => 0.999999));
    expect(low).toEqual([500, 1_000, 2_000, 4_000, 5_000]);
    expect(high).toEqual([1_000, 2_000, 4_000, 8_000, 10_000]);
  });

  it('stops after the last attempt', () => {
    expect(nextRetryDelayMs(6, schedule)).toBeNull();
    expect(nextRetryDelayMs(7, schedule)).toBeNull();
    expect(nextRetryDelayMs(1, { ...schedule, maxAttempts: 1 })).toBeNull();
  });

  it('spreads retries (jitter): many draws are not all the same, and stay in their band', () => {
    const draws = Array.from({ length: 200 }, () => nextRetryDelayMs(3, schedule)!);
    expect(new Set(draws).size).toBeGreaterThan(20);
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(2_000);
    expect(Math.max(...draws)).toBeLessThanOrEqual(4_000);
  });

  it('never overflows, however many attempts are allowed', () => {
    expect(
      nextRetryDelayMs(500, { maxAttempts: 1000, baseDelayMs: 1_000, maxDelayMs: 60_000 }, () => 1),
    ).toBe(60_000);
  });

  it('counts only 2xx answers as delivered', () => {
    expect([200, 201, 204, 299].every(isSuccess)).toBe(true);
    expect([null, 100, 199, 300, 301, 400, 410, 500, 503].some(isSuccess)).toBe(false);
  });
});
