import type { ChartVersionsEventContract } from "@charthouse/contracts";
import { publishVersionEvents, type Publisher, type VersionEventSubject } from "@charthouse/messaging";

/**
 * Publishes one sync's chart.version.discovered/removed events in the background, a slice at a
 * time, while the next slice is written: the events cost no acknowledged round trip on the
 * sync's critical path, only the wait for the last slice's acknowledgements.
 */
export class VersionAnnouncer {
  // One slice publishes at a time, so the events in flight (and their memory) stay bounded.
  #tail: Promise<number> = Promise.resolve(0);
  readonly #announced = new Set<string>();
  readonly #at = new Date().toISOString();

  constructor(
    private readonly publisher: Publisher,
    private readonly scope: { organizationId: string; registryId: string },
  ) {}

  /** Starts publishing `contract` for these versions (each version once per contract and sync). */
  add(contract: ChartVersionsEventContract, versions: readonly VersionEventSubject[]): void {
    const fresh = versions.filter((v) => {
      const key = `${contract.subject}\u0000${v.id}`;
      if (this.#announced.has(key)) return false;
      this.#announced.add(key);
      return true;
    });
    if (fresh.length === 0) return;
    const batch = { ...this.scope, versions: fresh, at: this.#at };
    const next = this.#tail.then(async (count) => count + (await publishVersionEvents(this.publisher, contract, batch)));
    // Handled here so an abandoned announcer (a failed write) raises no unhandled rejection; drain() rethrows.
    next.catch(() => undefined);
    this.#tail = next;
  }

  /** Waits until JetStream acknowledged every event; returns how many were published. */
  async drain(): Promise<number> {
    return await this.#tail;
  }
}
