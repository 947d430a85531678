/**
 * Runs the rows of many callers as one statement, the way Postgres groups commits: a call made
 * while no batch is being written runs at once; calls made while one is run wait and go together
 * in the next. Alone a call costs what it did; under load (a fleet's thousand syncs a second) one
 * statement, one plan and one commit serve a whole batch. Every caller still resolves only once
 * its row is committed. A batch that fails is run again row by row, so one bad row fails only its
 * own caller.
 */
export class BatchedStatement<Item, Result> {
  readonly #run: (items: readonly Item[]) => Promise<Result[]>;
  readonly #maxBatch: number;
  #waiting: Array<{ item: Item; resolve: (result: Result) => void; reject: (err: unknown) => void }> = [];
  #running = false;

  /** `run` answers one result per item, in the items' order. */
  constructor(run: (items: readonly Item[]) => Promise<Result[]>, options: { maxBatch?: number } = {}) {
    this.#run = run;
    this.#maxBatch = options.maxBatch ?? 500;
  }

  submit(item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.#waiting.push({ item, resolve, reject });
      if (!this.#running) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#running = true;
    try {
      while (this.#waiting.length > 0) {
        const batch = this.#waiting.splice(0, this.#maxBatch);
        try {
          const results = await this.#run(batch.map((b) => b.item));
          batch.forEach((b, i) => b.resolve(results[i]!));
        } catch (err) {
          if (batch.length === 1) {
            batch[0]!.reject(err);
            continue;
          }
          for (const b of batch) {
            await this.#run([b.item]).then(
              (results) => b.resolve(results[0]!),
              (alone: unknown) => b.reject(alone),
            );
          }
        }
      }
    } finally {
      this.#running = false;
    }
  }
}
