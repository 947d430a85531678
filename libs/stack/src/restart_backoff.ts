/** How a supervised process is restarted after it exits on its own. */
export interface RestartPolicy {
  /** Wait before the first restart, in milliseconds. */
  initialDelayMs: number;
  /** The longest wait between two restarts, in milliseconds. */
  maxDelayMs: number;
  /** A process that ran this long before it exited counts as healthy: the next wait starts over. */
  healthyAfterMs: number;
}

/** 1 s doubling to 30 s, starting over after a minute of healthy running: what `npm start` uses. */
export const defaultRestartPolicy: Readonly<RestartPolicy> = Object.freeze({
  initialDelayMs: 1_000,
  maxDelayMs: 30_000,
  healthyAfterMs: 60_000,
});

/**
 * The exponential backoff of one supervised process: each crash in a row doubles the wait, up to
 * the policy's maximum; a run longer than `healthyAfterMs` resets it.
 */
export class RestartBackoff {
  #crashesInARow = 0;

  constructor(private readonly policy: Readonly<RestartPolicy>) {}

  /** The wait before restarting a process that exited after running `ranMs`. */
  next(ranMs: number): number {
    if (ranMs >= this.policy.healthyAfterMs) this.#crashesInARow = 0;
    const delay = Math.min(this.policy.initialDelayMs * 2 ** this.#crashesInARow, this.policy.maxDelayMs);
    this.#crashesInARow += 1;
    return delay;
  }

  /** Forgets earlier crashes (an explicit restart). */
  reset(): void {
    this.#crashesInARow = 0;
  }
}
