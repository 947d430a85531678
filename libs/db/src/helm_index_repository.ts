import { lockBusy, withTryLock } from "./advisory_lock.ts";
import type { SqlClient } from "./sql_client.ts";

/** A registry as its Helm repository is asked for: its stored index (if any) and whether it is current. */
export interface HelmIndexState {
  registry_id: string;
  /** The stored index's ETag, or null when none was built yet. */
  etag: string | null;
  version_count: number | null;
  /** True when versions changed after the stored index was built (or none is stored). */
  stale: boolean;
  /** True when the stored index was built in the last few seconds (rebuilds wait that long). */
  built_recently: boolean;
}

/** One ready version as the Helm index lists it. */
export interface HelmIndexEntryRow {
  chart: string;
  version: string;
  /** The archive's Chart.yaml as extracted. */
  chart_yaml: unknown;
  /** The upstream index's `created`, if it had one. */
  created: string | null;
  discovered_at: Date;
  archive_sha256: string;
}

/** Pages of a registry's ready versions, as a build reads them: whole charts, in the index's order. */
export type HelmIndexEntryPages = AsyncIterable<readonly HelmIndexEntryRow[]>;

/** A built index to store: both forms gzip-compressed, its ETag and what it was built from. */
export interface BuiltHelmIndex {
  etag: string;
  versionCount: number;
  yamlGzip: Buffer;
  jsonGzip: Buffer;
  yamlBytes: number;
  jsonBytes: number;
  buildMs: number;
}

/** The stored, compressed bytes of an index. */
export interface StoredHelmIndexBytes {
  etag: string;
  version_count: number;
  yaml_gzip: Buffer;
  json_gzip: Buffer;
  /** Uncompressed sizes, as Postgres bigint text. */
  yaml_bytes: string;
  json_bytes: string;
}

// How long a rebuilt index waits before it is rebuilt again while versions keep changing, and
// how far back the stamp reaches: a transaction that started before the build but committed
// after it wrote an updated_at older than the build; the next look still sees it as newer.
const REBUILD_SECONDS = 5;
const COMMIT_SLACK_SECONDS = 10;

/** How far back a build's stamp reaches: an index built less than this after its last version change still looks stale. */
export const helmIndexCommitSlackSeconds = COMMIT_SLACK_SECONDS;
// About how many versions one page of a build holds (a chart with more is one page of its own).
const PAGE_VERSIONS = 1_000;

// A registry's stored index and whether versions changed after it was built ($1: REBUILD_SECONDS).
const stateQuery = `
  SELECT r.id AS registry_id, h.etag, h.version_count,
         (h.registry_id IS NULL OR COALESCE(
            (SELECT max(v.updated_at) FROM chart_versions v WHERE v.registry_id = r.id) > h.source_stamp,
            h.source_stamp IS NULL AND EXISTS (SELECT 1 FROM chart_versions v WHERE v.registry_id = r.id))) AS stale,
         COALESCE(h.built_at > now() - make_interval(secs => $1), false) AS built_recently
    FROM registries r LEFT JOIN helm_indexes h ON h.registry_id = r.id`;

/** The stored Helm index of each registry: freshness, the entries it is built from, and the bytes. */
export class HelmIndexRepository {
  readonly #sql: SqlClient;

  constructor(sql: SqlClient) {
    this.#sql = sql;
  }

  /** The organisation's registry named `registryName` and its stored index's state; null if no such registry. */
  async findState(organizationId: string, registryName: string): Promise<HelmIndexState | null> {
    const rows = await this.#sql.query<HelmIndexState>(`${stateQuery} WHERE r.organization_id = $2 AND r.name = $3`, [
      REBUILD_SECONDS,
      organizationId,
      registryName,
    ]);
    return rows[0] ?? null;
  }

  /** The state of a registry's stored index, by the registry's id; null if no such registry. */
  async findStateById(registryId: string): Promise<HelmIndexState | null> {
    const rows = await this.#sql.query<HelmIndexState>(`${stateQuery} WHERE r.id = $2`, [REBUILD_SECONDS, registryId]);
    return rows[0] ?? null;
  }

  /**
   * Rebuilds a registry's stored index with `build` while holding its advisory lock, so copies of
   * the API do not all rebuild at once: answers false without building when another holds it.
   * `build` reads the ready versions page by page (see entryPages), so it never holds them all.
   */
  async rebuild(registryId: string, build: (pages: HelmIndexEntryPages) => Promise<BuiltHelmIndex>): Promise<boolean> {
    const done = await withTryLock(this.#sql, `helm-index:${registryId}`, async () => {
      // The stamp is read before the entries: a change made while they are read makes it stale again.
      // As text: a JS Date would cut Postgres's microseconds and make the index look stale at once.
      const [stamp] = await this.#sql.query<{ source_stamp: string | null }>(
        `SELECT LEAST(max(updated_at), now() - make_interval(secs => $2))::text AS source_stamp FROM chart_versions WHERE registry_id = $1`,
        [registryId, COMMIT_SLACK_SECONDS],
      );
      const built = await build(this.entryPages(registryId));
      await this.#sql.query(
        `INSERT INTO helm_indexes (registry_id, etag, version_count, source_stamp, yaml_gzip, json_gzip, yaml_bytes, json_bytes, build_ms, built_at)
         VALUES ($1, $2, $3, $4::timestamptz, $5, $6, $7, $8, $9, now())
         ON CONFLICT (registry_id) DO UPDATE SET etag = EXCLUDED.etag, version_count = EXCLUDED.version_count,
           source_stamp = EXCLUDED.source_stamp, yaml_gzip = EXCLUDED.yaml_gzip, json_gzip = EXCLUDED.json_gzip,
           yaml_bytes = EXCLUDED.yaml_bytes, json_bytes = EXCLUDED.json_bytes, build_ms = EXCLUDED.build_ms, built_at = now()`,
        [registryId, built.etag, built.versionCount, stamp?.source_stamp ?? null, built.yamlGzip, built.jsonGzip, built.yamlBytes, built.jsonBytes, built.buildMs],
      );
      return true;
    });
    return done !== lockBusy;
  }

  /**
   * Every ready version of a registry in pages of whole charts, charts by name (the order of
   * JavaScript's sort, the index's order): one query lists the charts and how many ready versions
   * each has, then each page reads the versions of the next charts that make up about
   * `pageVersions` (a chart with more is a page of its own).
   */
  async *entryPages(registryId: string, pageVersions = PAGE_VERSIONS): AsyncGenerator<HelmIndexEntryRow[]> {
    const charts = await this.#sql.query<{ id: string; name: string; versions: number }>(
      `SELECT c.id, c.name, count(*)::int AS versions
         FROM chart_versions v JOIN charts c ON c.id = v.chart_id
        WHERE v.registry_id = $1 AND v.state = 'ready' AND v.archive_sha256 IS NOT NULL
        GROUP BY c.id, c.name`,
      [registryId],
    );
    charts.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    let page: typeof charts = [];
    let versions = 0;
    for (const [i, chart] of charts.entries()) {
      page.push(chart);
      versions += chart.versions;
      if (versions < pageVersions && i < charts.length - 1) continue;
      yield await this.#readPage(registryId, page);
      page = [];
      versions = 0;
    }
  }

  async #readPage(registryId: string, charts: readonly { id: string; name: string }[]): Promise<HelmIndexEntryRow[]> {
    const rows = await this.#sql.query<HelmIndexEntryRow & { chart_id: string }>(
      `SELECT v.chart_id, c.name AS chart, v.version, v.chart_yaml, v.created, v.discovered_at, v.archive_sha256
         FROM chart_versions v JOIN charts c ON c.id = v.chart_id
        WHERE v.chart_id = ANY($2::uuid[]) AND v.registry_id = $1 AND v.state = 'ready' AND v.archive_sha256 IS NOT NULL`,
      [registryId, charts.map((c) => c.id)],
    );
    const order = new Map(charts.map((c, i) => [c.id, i]));
    rows.sort((a, b) => (order.get(a.chart_id) ?? 0) - (order.get(b.chart_id) ?? 0));
    return rows.map(({ chart_id: _chartId, ...row }) => row);
  }

  /** The stored bytes of a registry's index; null when none is stored. */
  async loadBytes(registryId: string): Promise<StoredHelmIndexBytes | null> {
    const rows = await this.#sql.query<StoredHelmIndexBytes>(
      "SELECT etag, version_count, yaml_gzip, json_gzip, yaml_bytes, json_bytes FROM helm_indexes WHERE registry_id = $1",
      [registryId],
    );
    return rows[0] ?? null;
  }

  /**
   * The sha256 of the stored archive a Helm repository's `charts/{name}-{version}.tgz` names:
   * a ready version of the organisation's registry; null if there is none.
   */
  async findArchive(organizationId: string, registryName: string, fileName: string): Promise<string | null> {
    const rows = await this.#sql.query<{ archive_sha256: string }>(
      `SELECT v.archive_sha256
         FROM registries r JOIN chart_versions v ON v.registry_id = r.id JOIN charts c ON c.id = v.chart_id
        WHERE r.organization_id = $1 AND r.name = $2 AND v.state = 'ready' AND v.archive_sha256 IS NOT NULL
          AND starts_with($3, c.name || '-') AND c.name || '-' || v.version = $3
        ORDER BY c.name DESC LIMIT 1`,
      [organizationId, registryName, fileName],
    );
    return rows[0]?.archive_sha256 ?? null;
  }
}
