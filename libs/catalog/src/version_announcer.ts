import type { ChartVersionsEventContract, MessagePublisher } from "@charthouse/contracts";
import { PublishChain } from "./publish_chain.ts";
import { versionEvents, type VersionEventSubject } from "./version_events.ts";

/**
 * Publishes one sync's chart.version.discovered/removed events in the background, a slice at a
 * time, while the next slice is written: the events cost no acknowledged round trip on the
 * sync's critical path, only the wait for the last slice's acknowledgements.
 */
export class VersionAnnouncer {
  readonly #chain = new PublishChain();
  /** Version ids announced so far, by event subject. */
  readonly #announced = new Map<string, Set<string>>();
  readonly #at = new Date().toISOString();

  constructor(
    private readonly publisher: MessagePublisher,
    private readonly scope: { organizationId: string; registryId: string },
  ) {}

  /** Starts publishing `contract` for these versions (each version once per contract and sync). */
  add(contract: ChartVersionsEventContract, versions: readonly VersionEventSubject[]): void {
    let announced = this.#announced.get(contract.subject);
    if (announced === undefined) this.#announced.set(contract.subject, (announced = new Set()));
    const seen = announced;
    const fresh = versions.filter((v) => {
      if (seen.has(v.id)) return false;
      seen.add(v.id);
      return true;
    });
    if (fresh.length === 0) return;
    this.#chain.add(() => this.publisher.publishMany(contract, versionEvents({ ...this.scope, versions: fresh, at: this.#at })));
  }

  /** Waits until JetStream acknowledged every event; returns how many were published. */
  async drain(): Promise<number> {
    return await this.#chain.drain();
  }
}
