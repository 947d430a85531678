import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startNginx, waitFor, type NginxServer } from "@charthouse/testing";
import { addRegistry, syncNow } from "./support/api_waits.ts";
import { makeChartRepository, type ChartRepositoryFolder } from "./support/chart_repository.ts";
import { listenToEvents, type StreamedEvent } from "./support/event_stream.ts";
import { startCharthouse, type CharthouseUnderTest } from "./support/running_charthouse.ts";

let charthouse: CharthouseUnderTest;
let repository: ChartRepositoryFolder;
let nginx: NginxServer;
const abort = new AbortController();
const received: StreamedEvent[] = [];

function eventsOf(registryId: string, event: string): StreamedEvent[] {
  return received.filter((e) => e.event === event && e.data["registry_id"] === registryId);
}

function positionOf(match: (e: StreamedEvent) => boolean): number {
  return received.findIndex(match);
}

beforeAll(async () => {
  repository = await makeChartRepository([
    { name: "web", version: "1.0.0", readme: "# web\n", values: "replicaCount: 1\n" },
    { name: "web", version: "1.1.0", values: "replicaCount: 2\n" },
    { name: "db", version: "0.1.0", values: "storage: 1Gi\n" },
  ]);
  nginx = await startNginx({ root: repository.root });
  charthouse = await startCharthouse();
  await listenToEvents(charthouse, received, abort.signal);
});

afterAll(async () => {
  abort.abort();
  await charthouse?.stop();
  await nginx?.stop();
});

describe("GET /events during a real sync", () => {
  it("streams sync.started, each version discovered then ready, and sync.finished to a connected client", async () => {
    const registryId = await addRegistry(charthouse, "events-repo", nginx.url);
    const versions = ["web@1.0.0", "web@1.1.0", "db@0.1.0"];
    const key = (e: StreamedEvent): string => `${String(e.data["chart"])}@${String(e.data["version"])}`;
    await waitFor(
      () =>
        eventsOf(registryId, "registry.sync.finished").length === 1 &&
        eventsOf(registryId, "chart.version.ready").length === versions.length,
      { what: "sync.finished and every version's ready event", timeoutMs: 60_000, intervalMs: 100 },
    );

    expect(eventsOf(registryId, "registry.sync.started")).toHaveLength(1);
    expect(eventsOf(registryId, "chart.version.discovered").map(key).sort()).toEqual([...versions].sort());
    expect(eventsOf(registryId, "chart.version.ready").map(key).sort()).toEqual([...versions].sort());
    expect(eventsOf(registryId, "registry.sync.finished")[0]?.data).toMatchObject({ outcome: "updated", versions_added: 3, error: null });
    expect(received.filter((e) => e.data["registry_id"] === registryId).every((e) => e.event !== "chart.version.failed")).toBe(true);

    // In order: the sync starts, discovers every version and finishes; each version is ready after its discovery.
    const started = positionOf((e) => e.event === "registry.sync.started" && e.data["registry_id"] === registryId);
    const finished = positionOf((e) => e.event === "registry.sync.finished" && e.data["registry_id"] === registryId);
    for (const discovered of eventsOf(registryId, "chart.version.discovered")) {
      const at = received.indexOf(discovered);
      expect(at).toBeGreaterThan(started);
      expect(at).toBeLessThan(finished);
      const ready = positionOf((e) => e.event === "chart.version.ready" && e.data["version_id"] === discovered.data["version_id"]);
      expect(ready).toBeGreaterThan(at);
    }
    const ids = received.filter((e) => e.id !== undefined).map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  it("streams chart.version.removed when a version leaves the index", async () => {
    const registryId = (await charthouse.api<{ items: { id: string; name: string }[] }>("GET", "/registries")).body.items.find(
      (r) => r.name === "events-repo",
    )!.id;
    await rm(`${repository.root}/db-0.1.0.tgz`);
    await repository.reindex();
    const run = await syncNow(charthouse, registryId);
    expect(run.outcome).toBe("updated");
    const removed = await waitFor(() => eventsOf(registryId, "chart.version.removed")[0] ?? false, {
      what: "chart.version.removed",
      timeoutMs: 10_000,
    });
    expect(removed.data).toMatchObject({ chart: "db", version: "0.1.0", error: null });
  });
});
