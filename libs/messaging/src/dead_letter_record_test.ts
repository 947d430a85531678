import { describe, expect, it } from "vitest";
import { parseDeadLetter } from "./dead_letter_record.ts";

const registryId = "0b5f6f43-41a4-4f0e-9a53-5d8d8d1a6a01";
const versionId = "7c1c3f39-3c0a-4a43-8f5e-2f0f7a2b9b02";
const receivedAt = new Date("2026-11-30T10:00:05.000Z");
const error = { code: "connection_failed", message: "Cannot connect to archives.example.com", cause: "ECONNREFUSED", solution: "Check the host" };

describe("parseDeadLetter()", () => {
  it("reads a record with every field, and what its payload concerns", () => {
    const letter = parseDeadLetter({
      seq: 7,
      subject: "deadletter.chart.download.requested.v1",
      receivedAt,
      text: JSON.stringify({
        subject: "chart.download.requested.v1",
        msgId: `${versionId}:download:nodigest`,
        data: JSON.stringify({ registryId, versionId, chart: "nginx", version: "1.2.3+build", url: "https://x.example.com/a.tgz" }),
        error,
        deliveries: 5,
        firstPublishedAt: "2026-11-30T09:00:00Z",
        deadLetteredAt: "2026-11-30T10:00:04.500Z",
      }),
    });
    expect(letter).toEqual({
      seq: 7,
      subject: "chart.download.requested.v1",
      msgId: `${versionId}:download:nodigest`,
      payload: { registryId, versionId, chart: "nginx", version: "1.2.3+build", url: "https://x.example.com/a.tgz" },
      concerns: { registryId, versionId, chart: "nginx", version: "1.2.3+build", syncRunId: null },
      error,
      deliveries: 5,
      firstPublishedAt: "2026-11-30T09:00:00.000Z",
      deadLetteredAt: "2026-11-30T10:00:04.500Z",
    });
  });

  it("reads an older record without message id or times, dated when the stream received it", () => {
    const syncRunId = "5a0cbbd3-1111-4c3f-9d93-8d3c7a8fe003";
    const letter = parseDeadLetter({
      seq: 2,
      subject: "deadletter.sync.requested.http.v1",
      receivedAt,
      text: JSON.stringify({
        subject: "sync.requested.http.v1",
        data: JSON.stringify({ registryId, syncRunId, trigger: "schedule", requestedAt: "2026-11-30T09:00:00Z" }),
        error: { code: "timeout", message: "Timed out", cause: null, solution: "Check connectivity" },
        deliveries: 8,
      }),
    });
    expect(letter.msgId).toBeNull();
    expect(letter.firstPublishedAt).toBeNull();
    expect(letter.deadLetteredAt).toBe(receivedAt.toISOString());
    expect(letter.concerns).toEqual({ registryId, versionId: null, chart: null, version: null, syncRunId });
    expect(letter.error.code).toBe("timeout");
  });

  it("lists what is not a record at all, with the stream's subject and an error saying so", () => {
    const letter = parseDeadLetter({ seq: 3, subject: "deadletter.chart.downloaded.v1", receivedAt, text: "not json {" });
    expect(letter.subject).toBe("chart.downloaded.v1");
    expect(letter.payload).toBeNull();
    expect(letter.error.code).toBe("internal");
    expect(letter.error.message).toContain("cannot be read");
  });

  it("keeps a payload that is not JSON as none, concerning nothing, and ignores ids that are not UUIDs", () => {
    const notJson = parseDeadLetter({
      seq: 4,
      subject: "deadletter.chart.downloaded.v1",
      receivedAt,
      text: JSON.stringify({ subject: "chart.downloaded.v1", data: "\u0000garbage", error, deliveries: 1 }),
    });
    expect(notJson.payload).toBeNull();
    expect(notJson.concerns).toEqual({ registryId: null, versionId: null, chart: null, version: null, syncRunId: null });
    const badIds = parseDeadLetter({
      seq: 5,
      subject: "deadletter.chart.downloaded.v1",
      receivedAt,
      text: JSON.stringify({ subject: "chart.downloaded.v1", data: JSON.stringify({ registryId: "x'; DROP", versionId: 12 }), error }),
    });
    expect(badIds.concerns.registryId).toBeNull();
    expect(badIds.concerns.versionId).toBeNull();
  });
});
