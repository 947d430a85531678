/**
 * At most `size` holders at once; the others wait in the order they asked. Bounds the costly part
 * of a service's work while the rest of it runs many at a time: an index-fetcher's changed indexes
 * (their bodies and parses in memory), registry-api's event replays (a stream consumer each).
 */
export class Slots {
  #free: number;
  readonly #waiting: (() => void)[] = [];

  constructor(readonly size: number) {
    this.#free = size;
  }

  /** Slots taken and not yet given back. */
  get held(): number {
    return this.size - this.#free;
  }

  /** Callers waiting for a slot now. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** Waits for a slot; the function returned gives it back (calling it again does nothing). */
  async take(): Promise<() => void> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      // The slot passes straight to the next waiter; otherwise it is freed.
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free++;
    };
  }
}
