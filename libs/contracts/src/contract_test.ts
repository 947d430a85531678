import { describe, expect, it } from "vitest";
import { InputError } from "@charthouse/errors";
import { chartDownloadRequested } from "./chart_download_requested.ts";
import { chartVersionReady } from "./events.ts";
import { validatePayload } from "./contract.ts";
import { syncRequestedHttp } from "./sync_requested.ts";

describe("validatePayload()", () => {
  it("accepts a valid sync request and derives its message id from what it means", () => {
    const payload = {
      registryId: "6a1f1c1e-0a4e-4a39-9a53-2f0f2d9b3c11",
      syncRunId: "0b7a4c0e-59b1-4e25-9a4a-4f8f7c1a2b3c",
      trigger: "schedule",
      requestedAt: "2026-11-24T10:00:00.000Z",
    };
    const valid = validatePayload(syncRequestedHttp, payload);
    expect(syncRequestedHttp.messageId(valid)).toBe(`${payload.registryId}:${payload.syncRunId}`);
  });

  it("names every bad field of an invalid message", () => {
    try {
      validatePayload(chartDownloadRequested, { registryId: "x", url: "not a url", expectedDigest: "abc" });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(InputError);
      const fields = (err as InputError).fields.map((f) => f.field);
      expect(fields).toEqual(expect.arrayContaining(["registryId", "url", "expectedDigest", "versionId"]));
    }
  });

  it("takes a ready event with a summary, with summary null, and without one (older messages)", () => {
    const ready = {
      organizationId: "6a1f1c1e-0a4e-4a39-9a53-2f0f2d9b3c11",
      registryId: "0b7a4c0e-59b1-4e25-9a4a-4f8f7c1a2b3c",
      versionId: "1c2d3e4f-59b1-4e25-9a4a-4f8f7c1a2b3c",
      chart: "web",
      version: "2.0.0",
      error: null,
      at: "2026-11-24T10:00:00.000Z",
    };
    const summary = { previousVersion: "1.0.0", valuesAdded: 1, valuesRemoved: 0, valuesChanged: 2, imagesChanged: 1, major: true };
    expect(validatePayload(chartVersionReady, { ...ready, summary }).summary).toEqual(summary);
    expect(validatePayload(chartVersionReady, { ...ready, summary: null }).summary).toBeNull();
    expect(validatePayload(chartVersionReady, ready).summary).toBeUndefined();
    expect(() => validatePayload(chartVersionReady, { ...ready, summary: { ...summary, valuesAdded: -1 } })).toThrow(/summary.valuesAdded/);
  });
});
