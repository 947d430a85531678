import { randomUUID } from "node:crypto";
import type { ReopenedVersion, StuckVersion } from "@charthouse/db";
import { Publisher, type JetStreamClient } from "@charthouse/messaging";
import { describe, expect, it } from "vitest";
import { retryableErrorCodes } from "@charthouse/catalog";
import { recoverVersions, type RecoverableVersions } from "./version_recovery.ts";

const registryId = randomUUID();
const digest = "a".repeat(64);

function version(state: "discovered" | "downloaded", requeues = 0): StuckVersion {
  return {
    id: randomUUID(),
    registryId,
    state,
    chart: "web",
    version: `1.0.${requeues}`,
    digest,
    downloadUrl: "http://charts.example/web-1.0.0.tgz",
    requeues,
    archiveSha256: state === "downloaded" ? digest : null,
    size: state === "downloaded" ? 1234 : null,
  };
}

/** A publisher that records subject and message id of everything it publishes. */
function recordingPublisher(): { publisher: Publisher; published: { subject: string; msgId: string }[] } {
  const published: { subject: string; msgId: string }[] = [];
  const js = {
    publish: (subject: string, _data: Uint8Array, options: { msgID: string }) => {
      published.push({ subject, msgId: options.msgID });
      return Promise.resolve({ seq: published.length, duplicate: false, stream: "X" });
    },
  };
  return { publisher: new Publisher(js as unknown as JetStreamClient), published };
}

describe("recoverVersions()", () => {
  it("re-opens stuck downloads under a new round, announces stuck extractions again, and retries failed versions", async () => {
    const stuckDownload = version("discovered");
    const stuckExtraction = version("downloaded");
    const failed: ReopenedVersion = { ...version("discovered"), requeues: 3 };
    const asked: { reopened: string[][]; codes: readonly string[] } = { reopened: [], codes: [] };
    const versions: RecoverableVersions = {
      claimStuck: () => Promise.resolve([stuckDownload, stuckExtraction]),
      reopen: (ids) => {
        asked.reopened.push([...ids]);
        return Promise.resolve(ids.map((id) => ({ ...stuckDownload, id, requeues: stuckDownload.requeues + 1 })));
      },
      reopenRetryable: (options) => {
        asked.codes = options.codes;
        return Promise.resolve([failed]);
      },
    };
    const { publisher, published } = recordingPublisher();
    const pass = await recoverVersions(versions, publisher, { stuckAfterSeconds: 900, failedRetryAfterSeconds: 3600, batch: 100 });

    expect(pass).toEqual({ republished: 2, retried: 1 });
    expect(asked.reopened).toEqual([[stuckDownload.id]]);
    expect(asked.codes).toEqual(retryableErrorCodes);
    expect(published).toEqual([
      { subject: "chart.download.requested.v1", msgId: `${stuckDownload.id}:download:${digest}:1` },
      { subject: "chart.downloaded.v1", msgId: `${stuckExtraction.id}:downloaded:${digest}` },
      { subject: "chart.download.requested.v1", msgId: `${failed.id}:download:${digest}:3` },
    ]);
  });

  it("never retries what the registry said for good", () => {
    for (const code of ["digest_mismatch", "invalid_chart", "not_found", "too_large", "forbidden_destination"]) {
      expect(retryableErrorCodes).not.toContain(code);
    }
  });
});
