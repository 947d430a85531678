import { chartDownloadRequested } from "@charthouse/contracts";
import type { ChartVersionRepository, PendingVersion } from "@charthouse/db";
import type { Publisher } from "@charthouse/messaging";
import { downloadRequestOf } from "./download_request.ts";

/**
 * Publishes a download request per version that needs its archive, in the background, while
 * the next slice of the diff is written: Postgres and JetStream work at the same time.
 */
export class DownloadQueue {
  // One slice publishes at a time, so the requests in flight (and their memory) stay bounded.
  #tail: Promise<number> = Promise.resolve(0);
  readonly #queued = new Set<string>();

  constructor(
    private readonly deps: { publisher: Publisher; versions: ChartVersionRepository },
    private readonly registryId: string,
  ) {}

  /** Starts publishing the requests of these versions. */
  add(versions: readonly PendingVersion[]): void {
    const next = this.#tail.then(async (count) => count + (await this.#publish(versions)));
    // Handled here so an abandoned queue (a failed write) raises no unhandled rejection; drain() rethrows.
    next.catch(() => undefined);
    this.#tail = next;
  }

  /** Waits for every request to be acknowledged by JetStream; returns how many were queued. */
  async drain(): Promise<number> {
    return await this.#tail;
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
