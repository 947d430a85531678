import { chartDownloadRequested, type MessagePublisher } from "@charthouse/contracts";
import { downloadRequestOf } from "./download_request.ts";
import { PublishChain } from "./publish_chain.ts";
import type { PendingVersion } from "./version_model.ts";
import type { VersionStore } from "./version_store.ts";

/**
 * Publishes a download request per version that needs its archive, in the background, while
 * the next slice of the diff is written: Postgres and JetStream work at the same time.
 */
export class DownloadQueue {
  readonly #chain = new PublishChain();
  readonly #queued = new Set<string>();

  constructor(
    private readonly deps: { publisher: MessagePublisher; versions: Pick<VersionStore, "pendingDownloads" | "markFailed"> },
    private readonly registryId: string,
  ) {}

  /** Starts publishing the requests of these versions. */
  add(versions: readonly PendingVersion[]): void {
    this.#chain.add(() => this.#publish(versions));
  }

  /** Waits for every request to be acknowledged by JetStream; returns how many were queued. */
  async drain(): Promise<number> {
    return await this.#chain.drain();
  }

  /** Queues versions still waiting from an earlier, interrupted attempt (not queued by this one); returns them. */
  async addLeftovers(): Promise<PendingVersion[]> {
    const leftovers = (await this.deps.versions.pendingDownloads(this.registryId)).filter((v) => !this.#queued.has(v.id));
    this.add(leftovers);
    return leftovers;
  }

  async #publish(versions: readonly PendingVersion[]): Promise<number> {
    const requests = [];
    const withoutUrl: string[] = [];
    for (const version of versions) {
      this.#queued.add(version.id);
      const request = downloadRequestOf(this.registryId, version);
      if (request === null) withoutUrl.push(version.id);
      else requests.push(request);
    }
    await this.deps.versions.markFailed(withoutUrl, {
      code: "invalid_index",
      // Stored on each version, so it need not name it.
      message: "The version has no usable download URL in index.yaml (no urls, or none resolves to http or https)",
      cause: null,
      solution: "Verify the registry is properly configured",
    });
    return await this.deps.publisher.publishMany(chartDownloadRequested, requests);
  }
}
