export interface RetrySchedule {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * When the next attempt goes after `attempt` attempts failed: exponential backoff with full
 * jitter over the upper half (base * 2^(attempt-1), capped at the max, then a random point between
 * half of it and all of it), or null when the attempts are spent. `random` is in [0, 1).
 */
export function nextRetryDelayMs(
  attempt: number,
  schedule: RetrySchedule,
  random: () => number = Math.random,
): number | null {
  if (attempt >= schedule.maxAttempts) return null;
  const cap = Math.min(schedule.maxDelayMs, schedule.baseDelayMs * 2 ** Math.min(attempt - 1, 52));
  return Math.round(cap / 2 + (random() * cap) / 2);
}
