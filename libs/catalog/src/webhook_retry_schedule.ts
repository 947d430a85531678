/** How long a delivery is retried, counted from when it was recorded: a day. */
export const webhookRetryWindowMs = 24 * 3600_000;

/**
 * When a failed delivery is tried next: `baseMs` after the first attempt, doubling after each
 * one, or null once that would fall after the retry window (the delivery has failed for good).
 */
export function nextWebhookAttempt(
  attempts: number,
  options: { baseMs: number; createdAt: Date; now: Date; windowMs?: number },
): Date | null {
  const delayMs = options.baseMs * 2 ** Math.max(0, Math.min(attempts - 1, 40));
  const next = options.now.getTime() + delayMs;
  const deadline = options.createdAt.getTime() + (options.windowMs ?? webhookRetryWindowMs);
  return next > deadline ? null : new Date(next);
}
