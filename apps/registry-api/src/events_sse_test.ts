import type { Response } from "express";
import { describe, expect, it } from "vitest";
import { snakeCaseKeys, sseEventName, sseFramesOf, SseStream } from "./events_sse.ts";

const organizationId = "6a1f1c1e-0a4e-4a39-9a53-2f0f2d9b3c11";
const registryId = "0b7a4c0e-59b1-4e25-9a4a-4f8f7c1a2b3c";

describe("sseEventName()", () => {
  it("drops the version suffix of a subject", () => {
    expect(sseEventName("registry.sync.started.v1")).toBe("registry.sync.started");
    expect(sseEventName("chart.version.discovered.v12")).toBe("chart.version.discovered");
  });
});

describe("snakeCaseKeys()", () => {
  it("renames camelCase fields, nested ones too, and leaves values alone", () => {
    expect(snakeCaseKeys({ syncRunId: "x", versionsAdded: 2, error: { code: "timeout", someField: "camelCase" } })).toEqual({
      sync_run_id: "x",
      versions_added: 2,
      error: { code: "timeout", some_field: "camelCase" },
    });
  });
});

describe("sseFramesOf()", () => {
  it("writes one event with its stream sequence as id", () => {
    const frames = sseFramesOf("registry.sync.started", 7, {
      organizationId,
      registryId,
      syncRunId: registryId,
      outcome: null,
      versionsAdded: 0,
      versionsRemoved: 0,
      error: null,
      at: "2026-11-24T10:00:00.000Z",
    });
    expect(frames).toBe(
      `id: 7\nevent: registry.sync.started\ndata: {"organization_id":"${organizationId}","registry_id":"${registryId}","sync_run_id":"${registryId}","outcome":null,"versions_added":0,"versions_removed":0,"error":null,"at":"2026-11-24T10:00:00.000Z"}\n\n`,
    );
  });

  it("passes a ready event's summary on, in snake_case", () => {
    const frames = sseFramesOf("chart.version.ready", 9, {
      organizationId,
      registryId,
      versionId: registryId,
      chart: "web",
      version: "2.0.0",
      error: null,
      summary: { previousVersion: "1.0.0", valuesAdded: 1, valuesRemoved: 2, valuesChanged: 3, imagesChanged: 1, major: true },
      at: "2026-11-24T10:00:00.000Z",
    });
    const data = JSON.parse(/^data: (.*)$/m.exec(frames)?.[1] ?? "null") as Record<string, unknown>;
    expect(data["summary"]).toEqual({ previous_version: "1.0.0", values_added: 1, values_removed: 2, values_changed: 3, images_changed: 1, major: true });
  });

  it("fans a chart's versions out as one event each, only the last with the id", () => {
    const frames = sseFramesOf("chart.version.removed", 9, {
      organizationId,
      registryId,
      chart: "web",
      versions: [
        { versionId: organizationId, version: "1.0.0" },
        { versionId: registryId, version: "2.0.0" },
      ],
      at: "2026-11-24T10:00:00.000Z",
    });
    const blocks = frames.split("\n\n").filter((b) => b !== "");
    expect(blocks).toHaveLength(2);
    expect(blocks[0]).not.toMatch(/^id:/m);
    expect(blocks[0]).toContain(`"version_id":"${organizationId}","chart":"web","version":"1.0.0","error":null`);
    expect(blocks[1]).toMatch(/^id: 9\nevent: chart.version.removed\ndata: /);
  });
});

/** Just enough of an express Response for SseStream: a socket that never takes what is written. */
function stalledResponse(): Response & { written: string[]; destroyedNow: boolean } {
  const fake = {
    written: [] as string[],
    destroyedNow: false,
    destroyed: false,
    writableEnded: false,
    writableNeedDrain: false,
    get writableLength(): number {
      return fake.written.join("").length;
    },
    status: () => fake,
    set: () => fake,
    flushHeaders: () => undefined,
    socket: null,
    write: (text: string) => fake.written.push(text) > 0,
    destroy: () => {
      fake.destroyed = true;
      fake.destroyedNow = true;
    },
    end: () => {
      fake.writableEnded = true;
    },
  };
  return fake as unknown as Response & { written: string[]; destroyedNow: boolean };
}

describe("SseStream", () => {
  it("starts with the retry interval and drops a client that stops reading past the buffer limit", () => {
    const res = stalledResponse();
    const stream = new SseStream(res, { maxBufferedBytes: 100, retryMs: 3000 });
    stream.open();
    expect(res.written[0]).toBe("retry: 3000\n\n");
    let sent = 0;
    while (stream.send(`event: x\ndata: ${"y".repeat(20)}\n\n`)) sent++;
    expect(sent).toBeGreaterThan(0);
    expect(res.destroyedNow).toBe(true);
    expect(stream.closed).toBe(true);
    // Nothing more is queued for it.
    const length = res.written.length;
    expect(stream.comment("heartbeat")).toBe(false);
    expect(res.written.length).toBe(length);
  });

  it("tells its owner once, with the unread bytes, when it drops a slow client", () => {
    const res = stalledResponse();
    const drops: { bufferedBytes: number; maxBufferedBytes: number }[] = [];
    const stream = new SseStream(res, { maxBufferedBytes: 64, retryMs: 3000, onDrop: (drop) => drops.push(drop) });
    stream.open();
    for (let i = 0; i < 20; i++) stream.send(`event: x\ndata: ${"y".repeat(20)}\n\n`);
    expect(drops).toHaveLength(1);
    expect(drops[0]?.maxBufferedBytes).toBe(64);
    expect(drops[0]?.bufferedBytes).toBeGreaterThan(64);
  });
});
