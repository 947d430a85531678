import { randomUUID } from "node:crypto";
import type { ReopenedVersion, StuckVersion } from "@charthouse/catalog";
import { describe, expect, it } from "vitest";
import { retryableErrorCodes } from "@charthouse/catalog";
import { RecordingPublisher } from "@charthouse/testing";
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
    const publisher = new RecordingPublisher();
    const pass = await recoverVersions(versions, publisher, { stuckAfterSeconds: 900, failedRetryAfterSeconds: 3600, batch: 100 });

    expect(pass).toEqual({ republished: 2, retried: 1 });
    expect(asked.reopened).toEqual([[stuckDownload.id]]);
    expect(asked.codes).toEqual(retryableErrorCodes);
    expect(publisher.published.map(({ subject, messageId }) => ({ subject, messageId }))).toEqual([
      { subject: "chart.download.requested.v1", messageId: `${stuckDownload.id}:download:${digest}:1` },
      { subject: "chart.downloaded.v1", messageId: `${stuckExtraction.id}:downloaded:${digest}` },
      { subject: "chart.download.requested.v1", messageId: `${failed.id}:download:${digest}:3` },
    ]);
  });

  it("publishes nothing for a stuck extraction with no archive recorded, or a re-opened version with nowhere to download from", async () => {
    const noArchive: StuckVersion = { ...version("downloaded"), archiveSha256: null, size: null };
    const noUrl: ReopenedVersion = { ...version("discovered"), downloadUrl: null };
    const versions: RecoverableVersions = {
      claimStuck: () => Promise.resolve([noArchive]),
      reopen: (ids) => Promise.resolve(ids.length === 0 ? [] : [noUrl]),
      reopenRetryable: () => Promise.resolve([noUrl]),
    };
    const publisher = new RecordingPublisher();
    const pass = await recoverVersions(versions, publisher, { stuckAfterSeconds: 900, failedRetryAfterSeconds: 3600, batch: 100 });
    expect(pass).toEqual({ republished: 0, retried: 0 });
    expect(publisher.published).toEqual([]);
  });

  it("fails the pass when the broker refuses the messages, so the loop logs it and tries again", async () => {
    const versions: RecoverableVersions = {
      claimStuck: () => Promise.resolve([version("downloaded")]),
      reopen: () => Promise.resolve([]),
      reopenRetryable: () => Promise.resolve([]),
    };
    const publisher = new RecordingPublisher();
    publisher.failing = true;
    await expect(
      recoverVersions(versions, publisher, { stuckAfterSeconds: 900, failedRetryAfterSeconds: 3600, batch: 100 }),
    ).rejects.toThrow("Cannot publish chart.downloaded.v1");
  });

  it("never retries what the registry said for good", () => {
    for (const code of ["digest_mismatch", "invalid_chart", "not_found", "too_large", "forbidden_destination"]) {
      expect(retryableErrorCodes).not.toContain(code);
    }
  });
});
