import { performance } from "node:perf_hooks";

/** Milliseconds spent in each named phase of a sync, for its log line. */
export class PhaseTimer {
  #last = performance.now();
  readonly #durations: Record<string, number> = {};

  /** Ends the current phase under `name`. */
  mark(name: string): void {
    const now = performance.now();
    this.#durations[name] = Math.round(now - this.#last);
    this.#last = now;
  }

  /** Every phase ended so far. */
  durations(): Readonly<Record<string, number>> {
    return this.#durations;
  }
}
