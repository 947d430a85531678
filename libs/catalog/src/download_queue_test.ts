import { randomUUID } from "node:crypto";
import type { ChartDownloadRequested } from "@charthouse/contracts";
import type { StoredError } from "@charthouse/errors";
import { describe, expect, it } from "vitest";
import { DownloadQueue } from "./download_queue.ts";
import { RecordingPublisher } from "@charthouse/testing";
import type { PendingVersion } from "./version_model.ts";
import type { VersionStore } from "./version_store.ts";

const pending = (version: string, downloadUrl: string | null): PendingVersion => ({
  id: randomUUID(),
  chart: "web",
  version,
  digest: "a".repeat(64),
  downloadUrl,
  requeues: 0,
});

/** The queue's reads and writes in memory: versions still waiting, and those marked failed. */
function memoryVersions(waiting: PendingVersion[]): Pick<VersionStore, "pendingDownloads" | "markFailed"> & { failed: [string[], StoredError][] } {
  const failed: [string[], StoredError][] = [];
  return {
    failed,
    pendingDownloads: () => Promise.resolve(waiting),
    markFailed(ids, error) {
      failed.push([typeof ids === "string" ? [ids] : [...ids], error]);
      return Promise.resolve();
    },
  };
}

describe("DownloadQueue", () => {
  it("requests each version's archive from its own URL and fails versions that have none", async () => {
    const publisher = new RecordingPublisher();
    const versions = memoryVersions([]);
    const registryId = randomUUID();
    const queue = new DownloadQueue({ publisher, versions }, registryId);
    const web = pending("1.0.0", "https://charts.example.test/web-1.0.0.tgz");
    const nowhere = pending("0.9.0", null);
    queue.add([web, nowhere]);
    expect(await queue.drain()).toBe(1);
    expect(publisher.payloads<ChartDownloadRequested>("chart.download.requested.v1")).toEqual([
      { registryId, versionId: web.id, chart: "web", version: "1.0.0", url: web.downloadUrl, expectedDigest: web.digest, round: 0 },
    ]);
    expect(versions.failed).toEqual([[[nowhere.id], expect.objectContaining({ code: "invalid_index" })]]);
  });

  it("queues leftovers of an interrupted attempt, but not the versions this attempt queued", async () => {
    const publisher = new RecordingPublisher();
    const queuedNow = pending("1.0.0", "https://charts.example.test/web-1.0.0.tgz");
    const leftover = pending("0.1.0", "https://charts.example.test/web-0.1.0.tgz");
    const queue = new DownloadQueue({ publisher, versions: memoryVersions([queuedNow, leftover]) }, randomUUID());
    queue.add([queuedNow]);
    await queue.drain();
    expect((await queue.addLeftovers()).map((v) => v.id)).toEqual([leftover.id]);
    expect(await queue.drain()).toBe(2);
  });
});
