/**
 * Publishing in the background, one batch at a time, while the caller goes on (writes the next
 * slice of a diff): Postgres and JetStream work at the same time, and only one batch's messages
 * (and their memory) are in flight at once.
 */
export class PublishChain {
  #tail: Promise<number> = Promise.resolve(0);

  /** Starts `publish` once the batches added before it are done; the count it returns adds to drain()'s. */
  add(publish: () => Promise<number>): void {
    const next = this.#tail.then(async (count) => count + (await publish()));
    // Handled here so an abandoned chain (a failed write) raises no unhandled rejection; drain() rethrows.
    next.catch(() => undefined);
    this.#tail = next;
  }

  /** Waits for every batch to be acknowledged; returns how many messages they published, or the first failure. */
  async drain(): Promise<number> {
    return await this.#tail;
  }
}
