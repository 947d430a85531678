import { randomUUID } from "node:crypto";
import { retryableErrorCodes, type ReopenedVersion } from "@charthouse/catalog";
import { RecordingPublisher } from "@charthouse/testing";
import { describe, expect, it } from "vitest";
import { retryFailuresOnHost } from "./retry_host_failures.ts";

function reopenedOf(downloadUrl: string | null): ReopenedVersion {
  return { id: randomUUID(), registryId: randomUUID(), chart: "web", version: "1.0.0", digest: null, downloadUrl, requeues: 4 };
}

describe("retryFailuresOnHost()", () => {
  it("re-opens the versions a recovered host failed for a passing reason and queues their downloads again", async () => {
    const queued = reopenedOf("https://charts.example:8443/web-1.0.0.tgz");
    const asked: { host: string; codes: readonly string[] }[] = [];
    const publisher = new RecordingPublisher();
    const logged: unknown[] = [];
    const count = await retryFailuresOnHost(
      {
        versions: {
          reopenFailedOnHost: (host, codes) => {
            asked.push({ host, codes });
            return Promise.resolve([queued, reopenedOf(null)]);
          },
        },
        publisher,
        log: { info: (fields: unknown) => logged.push(fields) },
      },
      "https://charts.example:8443",
    );
    expect(asked).toEqual([{ host: "charts.example:8443", codes: retryableErrorCodes }]);
    // A version with nowhere to download from is not queued.
    expect(count).toBe(1);
    expect(publisher.published.map((m) => `${m.subject} ${m.messageId}`)).toEqual([`chart.download.requested.v1 ${queued.id}:download:nodigest:4`]);
    expect(logged).toEqual([{ host: "charts.example:8443", count: 1 }]);
  });

  it("logs nothing when the host had no failed versions", async () => {
    const logged: unknown[] = [];
    const count = await retryFailuresOnHost(
      {
        versions: { reopenFailedOnHost: () => Promise.resolve([]) },
        publisher: new RecordingPublisher(),
        log: { info: (fields: unknown) => logged.push(fields) },
      },
      "http://charts.example",
    );
    expect(count).toBe(0);
    expect(logged).toEqual([]);
  });
});
