export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Exponential backoff with "equal jitter": between half the capped delay and all of it. */
export function backoffDelay(attempt: number, baseDelayMs: number, maxDelayMs = 30_000): number {
  const cap = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
  return Math.round(cap / 2 + (Math.random() * cap) / 2);
}
