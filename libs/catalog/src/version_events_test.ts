import { randomUUID } from "node:crypto";
import { chartVersionDiscovered, maxVersionsPerEvent } from "@charthouse/contracts";
import { describe, expect, it } from "vitest";
import { versionEvents } from "./version_events.ts";

describe("versionEvents()", () => {
  it("makes one message per chart and per 200 of its versions, each with its own message id", () => {
    const versions = [
      ...Array.from({ length: maxVersionsPerEvent + 1 }, (_, i) => ({ id: randomUUID(), chart: "web", version: `1.0.${i}` })),
      { id: randomUUID(), chart: "db", version: "0.1.0" },
    ];
    const organizationId = randomUUID();
    const registryId = randomUUID();
    const messages = versionEvents({ organizationId, registryId, versions, at: "2026-11-24T10:00:00.000Z" });
    expect(messages.map((m) => [m.chart, m.versions.length])).toEqual([
      ["web", maxVersionsPerEvent],
      ["web", 1],
      ["db", 1],
    ]);
    expect(new Set(messages.map((m) => chartVersionDiscovered.messageId(m))).size).toBe(3);
    expect(messages[2]).toEqual({
      organizationId,
      registryId,
      chart: "db",
      versions: [{ versionId: versions[versions.length - 1]?.id, version: "0.1.0" }],
      at: "2026-11-24T10:00:00.000Z",
    });
    expect(messages.flatMap((m) => m.versions.map((v) => v.version))).toEqual(versions.map((v) => v.version));
  });

  it("makes nothing of no versions", () => {
    expect(versionEvents({ organizationId: randomUUID(), registryId: randomUUID(), versions: [], at: new Date().toISOString() })).toEqual([]);
  });
});
