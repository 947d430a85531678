import { randomUUID } from "node:crypto";
import { chartVersionDiscovered, maxVersionsPerEvent, type ChartVersionsEvent } from "@charthouse/contracts";
import type { JetStreamClient } from "nats";
import { describe, expect, it } from "vitest";
import { Publisher } from "./publisher.ts";
import { publishVersionEvents } from "./version_events.ts";

/** A JetStream client that records what is published and acknowledges at once. */
function recordingJetStream(): { js: JetStreamClient; published: { subject: string; payload: ChartVersionsEvent; msgID: string }[] } {
  const published: { subject: string; payload: ChartVersionsEvent; msgID: string }[] = [];
  const js = {
    publish: (subject: string, data: Uint8Array, options: { msgID: string }) => {
      published.push({ subject, payload: JSON.parse(new TextDecoder().decode(data)) as ChartVersionsEvent, msgID: options.msgID });
      return Promise.resolve({ seq: published.length, duplicate: false, stream: "CHARTHOUSE_EVENTS" });
    },
  };
  return { js: js as unknown as JetStreamClient, published };
}

describe("publishVersionEvents()", () => {
  it("publishes one message per chart and per 200 of its versions, each with its own message id", async () => {
    const { js, published } = recordingJetStream();
    const versions = [
      ...Array.from({ length: maxVersionsPerEvent + 1 }, (_, i) => ({ id: randomUUID(), chart: "web", version: `1.0.${i}` })),
      { id: randomUUID(), chart: "db", version: "0.1.0" },
    ];
    const organizationId = randomUUID();
    const registryId = randomUUID();
    const count = await publishVersionEvents(new Publisher(js), chartVersionDiscovered, {
      organizationId,
      registryId,
      versions,
      at: "2026-11-24T10:00:00.000Z",
    });
    expect(count).toBe(3);
    expect(published.map((p) => [p.subject, p.payload.chart, p.payload.versions.length])).toEqual([
      ["chart.version.discovered.v1", "web", maxVersionsPerEvent],
      ["chart.version.discovered.v1", "web", 1],
      ["chart.version.discovered.v1", "db", 1],
    ]);
    expect(new Set(published.map((p) => p.msgID)).size).toBe(3);
    expect(published[2]?.payload).toEqual({
      organizationId,
      registryId,
      chart: "db",
      versions: [{ versionId: versions[versions.length - 1]?.id, version: "0.1.0" }],
      at: "2026-11-24T10:00:00.000Z",
    });
    expect(published.flatMap((p) => p.payload.versions.map((v) => v.version))).toEqual(versions.map((v) => v.version));
  });

  it("publishes nothing for no versions", async () => {
    const { js, published } = recordingJetStream();
    const count = await publishVersionEvents(new Publisher(js), chartVersionDiscovered, {
      organizationId: randomUUID(),
      registryId: randomUUID(),
      versions: [],
    });
    expect(count).toBe(0);
    expect(published).toEqual([]);
  });
});
