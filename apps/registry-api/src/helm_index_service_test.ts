import type { BuiltHelmIndex, HelmIndexState, StoredHelmIndexBytes } from "@charthouse/db";
import { NotFoundError, UnavailableError } from "@charthouse/errors";
import { createLogger } from "@charthouse/logging";
import { describe, expect, it } from "vitest";
import { HelmIndexService, type HelmIndexBuild, type HelmIndexStore } from "./helm_index_service.ts";

const log = createLogger("helm-index-service-test", { level: "silent" });

/** An in-memory store of one registry "charts" of organisation "org". */
class FakeStore implements HelmIndexStore {
  state: HelmIndexState = { registry_id: "r1", etag: null, version_count: null, stale: true, built_recently: false };
  busy = false;
  rebuilds = 0;
  loads = 0;
  lookups = 0;

  findState(organizationId: string, registryName: string): Promise<HelmIndexState | null> {
    this.lookups++;
    return Promise.resolve(organizationId === "org" && registryName === "charts" ? { ...this.state } : null);
  }

  findStateById(registryId: string): Promise<HelmIndexState | null> {
    return Promise.resolve(registryId === "r1" ? { ...this.state } : null);
  }

  async rebuild(_registryId: string, build: HelmIndexBuild): Promise<boolean> {
    if (this.busy) return false;
    this.rebuilds++;
    const built = await build(noPages());
    this.state = { ...this.state, etag: built.etag, version_count: built.versionCount, stale: false, built_recently: true };
    return true;
  }

  async loadBytes(): Promise<StoredHelmIndexBytes | null> {
    this.loads++;
    await new Promise((resolve) => setTimeout(resolve, 10));
    if (this.state.etag === null) return null;
    return { etag: this.state.etag, version_count: 0, yaml_gzip: Buffer.from("y"), json_gzip: Buffer.from("j"), yaml_bytes: "1", json_bytes: "1" };
  }
}

async function* noPages(): AsyncGenerator<never> {}

let builds = 0;
const build = (): Promise<BuiltHelmIndex> => {
  builds++;
  return Promise.resolve({ etag: `e${builds}`, versionCount: 3, yamlGzip: Buffer.from("y"), jsonGzip: Buffer.from("j"), yamlBytes: 1, jsonBytes: 1, buildMs: 0 });
};

describe("HelmIndexService", () => {
  it("builds a registry's first index, then serves it until versions change", async () => {
    const store = new FakeStore();
    const service = new HelmIndexService(store, build, { log, stateCacheMs: 0 });
    const first = await service.current("org", "charts");
    expect(first).toMatchObject({ registryId: "r1", versionCount: 3 });
    expect(await service.current("org", "charts")).toEqual(first);
    expect(store.rebuilds).toBe(1);
    store.state = { ...store.state, stale: true, built_recently: false };
    expect((await service.current("org", "charts")).etag).not.toBe(first.etag);
    expect(store.rebuilds).toBe(2);
  });

  it("serves the stored index while it was rebuilt moments ago or another copy rebuilds it", async () => {
    const store = new FakeStore();
    const service = new HelmIndexService(store, build, { log, stateCacheMs: 0 });
    const first = await service.current("org", "charts");
    store.state = { ...store.state, stale: true, built_recently: true };
    expect(await service.current("org", "charts")).toEqual(first);
    store.state = { ...store.state, built_recently: false };
    store.busy = true;
    expect(await service.current("org", "charts")).toEqual(first);
    expect(store.rebuilds).toBe(1);
  });

  it("waits for another copy's first build, and gives up with unavailable after its deadline", async () => {
    const store = new FakeStore();
    store.busy = true;
    const service = new HelmIndexService(store, build, { log, firstBuildWaitMs: 300, stateCacheMs: 0 });
    setTimeout(() => (store.state = { ...store.state, etag: "other", version_count: 1, stale: false }), 100);
    expect(await service.current("org", "charts")).toMatchObject({ etag: "other" });
    const never = new HelmIndexService(Object.assign(new FakeStore(), { busy: true }), build, { log, firstBuildWaitMs: 100 });
    await expect(never.current("org", "charts")).rejects.toBeInstanceOf(UnavailableError);
  });

  it("answers not found for a registry the organisation does not have", async () => {
    const service = new HelmIndexService(new FakeStore(), build, { log });
    await expect(service.current("other-org", "charts")).rejects.toBeInstanceOf(NotFoundError);
    await expect(service.current("org", "nope")).rejects.toBeInstanceOf(NotFoundError);
  });

  it("reuses a registry's state for its TTL per organisation, and reads it again after", async () => {
    let now = 0;
    const store = new FakeStore();
    const service = new HelmIndexService(store, build, { log, stateCacheMs: 2_000, now: () => now });
    const first = await service.current("org", "charts");
    const lookups = store.lookups;
    store.state = { ...store.state, stale: true, built_recently: false };
    now += 1_999;
    expect(await service.current("org", "charts")).toEqual(first);
    expect(store.lookups).toBe(lookups);
    await expect(service.current("other-org", "charts")).rejects.toBeInstanceOf(NotFoundError);
    await expect(service.current("other-org", "charts")).rejects.toBeInstanceOf(NotFoundError);
    expect(store.lookups).toBe(lookups + 2);
    now += 1;
    expect((await service.current("org", "charts")).etag).not.toBe(first.etag);
    expect(store.rebuilds).toBe(2);
  });

  it("refreshes an index whose versions changed, without a request, and leaves alone one nobody asked for", async () => {
    const store = new FakeStore();
    const service = new HelmIndexService(store, build, { log, stateCacheMs: 0 });
    expect(await service.refresh("r1")).toBe(false);
    expect(store.rebuilds).toBe(0);
    const first = await service.current("org", "charts");
    expect(await service.refresh("r1")).toBe(false);
    store.state = { ...store.state, stale: true, built_recently: true };
    expect(await service.refresh("r1")).toBe(true);
    expect(store.rebuilds).toBe(2);
    expect((await service.current("org", "charts")).etag).not.toBe(first.etag);
    expect(store.rebuilds).toBe(2);
    expect(await service.refresh("unknown")).toBe(false);
  });

  it("reads newer stored bytes once for requests whose remembered state predates another copy's rebuild", async () => {
    const store = new FakeStore();
    const service = new HelmIndexService(store, build, { log, stateCacheMs: 60_000 });
    const current = await service.current("org", "charts");
    store.state = { ...store.state, etag: "rebuilt-elsewhere" };
    const all = await Promise.all(Array.from({ length: 5 }, () => service.bytes(current)));
    for (let i = 0; i < 5; i++) all.push(await service.bytes(current));
    expect(new Set(all.map((b) => b.etag))).toEqual(new Set(["rebuilt-elsewhere"]));
    expect(store.loads).toBe(1);
    expect((await service.bytes({ ...current, etag: "rebuilt-elsewhere" })).etag).toBe("rebuilt-elsewhere");
    expect(store.loads).toBe(1);
  });

  it("reads the stored bytes once for concurrent requests and shares them", async () => {
    const store = new FakeStore();
    const service = new HelmIndexService(store, build, { log, stateCacheMs: 0 });
    const current = await service.current("org", "charts");
    const all = await Promise.all(Array.from({ length: 20 }, () => service.bytes(current)));
    expect(store.loads).toBe(1);
    expect(new Set(all.map((b) => b.jsonGzip)).size).toBe(1);
  });
});
