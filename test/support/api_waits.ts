import { expect } from "vitest";
import { waitFor } from "@charthouse/testing";
import type { ChartVersionJson, PageJson, RegistryJson, SyncRunJson } from "@charthouse/api-types";
import type { CharthouseUnderTest } from "./running_charthouse.ts";

/** Adds a registry through the API and returns its id. */
export async function addRegistry(charthouse: CharthouseUnderTest, name: string, url: string): Promise<string> {
  const created = await charthouse.api<RegistryJson>("POST", "/registries", { name, url });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.id;
}

/** Polls GET /registries/{id} until `done` holds; returns that registry. */
export async function registryWhen(
  charthouse: CharthouseUnderTest,
  id: string,
  done: (registry: RegistryJson) => boolean,
  what: string,
  timeoutMs = 60_000,
): Promise<RegistryJson> {
  return await waitFor(
    async () => {
      const { body } = await charthouse.api<RegistryJson>("GET", `/registries/${id}`);
      return done(body) ? body : false;
    },
    { what, timeoutMs, intervalMs: 250 },
  );
}

/** Waits until the registry's first sync has ended (updated or failed) and nothing waits for an archive. */
export async function registrySettled(charthouse: CharthouseUnderTest, id: string, what: string, timeoutMs = 60_000): Promise<RegistryJson> {
  return await registryWhen(
    charthouse,
    id,
    (r) => r.status.last_outcome !== null && r.status.state !== "syncing" && r.status.state !== "pending" && r.status.versions_pending === 0,
    what,
    timeoutMs,
  );
}

/** Every item of a list endpoint, following `next_cursor` with the largest page. */
export async function listAll<T>(charthouse: CharthouseUnderTest, path: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const separator = path.includes("?") ? "&" : "?";
    const page: string = `${path}${separator}limit=500${cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`}`;
    const { status, body } = await charthouse.api<PageJson<T>>("GET", page);
    expect(status, `GET ${page}: ${JSON.stringify(body)}`).toBe(200);
    items.push(...body.items);
    cursor = body.next_cursor;
  } while (cursor !== null);
  return items;
}

/** The path of one chart version, its parts escaped (`+`, `/`). */
export function versionPath(registryId: string, chart: string, version: string): string {
  return `/registries/${registryId}/charts/${encodeURIComponent(chart)}/versions/${encodeURIComponent(version)}`;
}

/** GET of one chart version; fails the test unless it answers 200. */
export async function getVersion(charthouse: CharthouseUnderTest, registryId: string, chart: string, version: string): Promise<ChartVersionJson> {
  const { status, body } = await charthouse.api<ChartVersionJson>("GET", versionPath(registryId, chart, version));
  expect(status, `${chart}@${version}: ${JSON.stringify(body)}`).toBe(200);
  return body;
}

/** Polls one chart version until it is ready or failed; returns it. */
export async function versionSettled(
  charthouse: CharthouseUnderTest,
  registryId: string,
  chart: string,
  version: string,
  timeoutMs = 60_000,
): Promise<ChartVersionJson> {
  return await waitFor(
    async () => {
      const { status, body } = await charthouse.api<ChartVersionJson>("GET", versionPath(registryId, chart, version));
      return status === 200 && (body.state === "ready" || body.state === "failed") ? body : false;
    },
    { what: `${chart}@${version} to be ready or failed`, timeoutMs, intervalMs: 250 },
  );
}

/** Asks for a sync now (POST /registries/{id}/sync) and waits until that sync run has finished. */
export async function syncNow(charthouse: CharthouseUnderTest, id: string, timeoutMs = 30_000): Promise<SyncRunJson> {
  const { status, body } = await charthouse.api<{ sync_id: string }>("POST", `/registries/${id}/sync`);
  expect(status, JSON.stringify(body)).toBe(202);
  return await waitFor(
    async () => {
      const runs = await charthouse.api<PageJson<SyncRunJson>>("GET", `/registries/${id}/syncs`);
      return runs.body.items.find((run) => run.id === body.sync_id && run.finished_at !== null) ?? false;
    },
    { what: "the manual sync to finish", timeoutMs, intervalMs: 200 },
  );
}
