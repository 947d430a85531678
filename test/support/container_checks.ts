import { readFile } from "node:fs/promises";
import { expect } from "vitest";
import type { RegistryJson } from "@charthouse/api-types";
import { waitFor } from "@charthouse/testing";
import type { ComposeProject } from "./container_compose.ts";
import { queryOnce } from "./fault_checks.ts";
import type { FaultRepository } from "./fault_repository.ts";

/** Adds a registry served by the compose project's chart server (http://charts:8080/<name>/) and returns its id. */
export async function addComposeRegistry(project: ComposeProject, name: string): Promise<string> {
  const created = await project.api<RegistryJson>("POST", "/registries", { name, url: `http://charts:8080/${name}/` });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.id;
}

/** What one registry holds in Postgres: rows, duplicates, and counts by state. */
export interface RegistryFigures {
  rows: number;
  duplicates: number;
  charts: number;
  byState: Record<string, number>;
  withReadmeAndValues: number;
}

/** Reads {@link RegistryFigures} of a registry straight from the project's Postgres. */
export async function registryFigures(project: ComposeProject, registryId: string): Promise<RegistryFigures> {
  const rows = await queryOnce<{ chart: string; version: string; state: string; complete: boolean }>(
    project.databaseUrl,
    `SELECT c.name AS chart, v.version, v.state, (v.readme IS NOT NULL AND v.values_yaml IS NOT NULL) AS complete
       FROM chart_versions v JOIN charts c ON c.id = v.chart_id WHERE v.registry_id = $1`,
    [registryId],
  );
  const keys = new Set(rows.map((r) => `${r.chart}@${r.version}`));
  const byState: Record<string, number> = {};
  for (const r of rows) byState[r.state] = (byState[r.state] ?? 0) + 1;
  return {
    rows: rows.length,
    duplicates: rows.length - keys.size,
    charts: new Set(rows.map((r) => r.chart)).size,
    byState,
    withReadmeAndValues: rows.filter((r) => r.complete).length,
  };
}

/**
 * Waits until every version the repository publishes is ready in Postgres and the registry is
 * `ok` (a clean run's end state); returns the figures then. A timeout names the counts seen last.
 */
export async function awaitAllReady(project: ComposeProject, registryId: string, repository: FaultRepository, timeoutMs: number): Promise<RegistryFigures> {
  const expected = repository.versions().length;
  let last: { figures?: RegistryFigures; registry?: RegistryJson["status"] } = {};
  try {
    return await waitFor(
      async () => {
        const figures = await registryFigures(project, registryId);
        const { body } = await project.api<RegistryJson>("GET", `/registries/${registryId}`);
        last = { figures, registry: body.status };
        return figures.byState["ready"] === expected && figures.rows === expected && body.status.state === "ok" ? figures : false;
      },
      { what: `all ${expected} versions of registry ${registryId} to be ready`, timeoutMs, intervalMs: 500 },
    );
  } catch (err) {
    // The logs first and the figures last: a CI log shows the end of a long message.
    const waiting = await versionsNotReady(project, registryId).catch((e: Error) => `(cannot read them: ${e.message})`);
    throw new Error(
      `${await project.logs(30)}\n${(err as Error).message}; last seen ${JSON.stringify(last)}; versions not ready: ${waiting}`,
      { cause: err },
    );
  }
}

/** A few of the registry's versions that are not ready, with what Postgres says of each: why a wait ran out. */
async function versionsNotReady(project: ComposeProject, registryId: string): Promise<string> {
  const rows = await queryOnce<Record<string, unknown>>(
    project.databaseUrl,
    `SELECT c.name || '@' || v.version AS version, v.state, v.attempts, v.requeues, v.error->>'code' AS code,
            v.error->>'message' AS message, round(extract(epoch FROM now() - v.updated_at)) AS idle_seconds
       FROM chart_versions v JOIN charts c ON c.id = v.chart_id
      WHERE v.registry_id = $1 AND v.state <> 'ready' ORDER BY v.updated_at LIMIT 8`,
    [registryId],
  );
  return JSON.stringify(rows);
}

/** How many times each archive of `prefix` was fetched with a 200, from the chart server's access log (`METHOD URI STATUS`). */
export async function archiveFetches(accessLogPath: string, prefix: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const text = await readFile(accessLogPath, "utf8").catch(() => "");
  for (const line of text.split("\n")) {
    const [method, uri, status] = line.split(" ");
    if (method !== "GET" || status !== "200" || uri === undefined || !uri.startsWith(prefix) || !uri.endsWith(".tgz")) continue;
    counts.set(uri, (counts.get(uri) ?? 0) + 1);
  }
  return counts;
}
