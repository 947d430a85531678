import pg from "pg";

/** What {@link seedScaleRegistry} wrote. */
export interface ScaleRegistry {
  registryId: string;
  charts: number;
  versions: number;
  /** The chart that holds far more versions than the others. */
  bigChart: { name: string; versions: number };
}

/**
 * Writes a registry of `charts` charts and `versions` ready versions straight into Postgres (no
 * sync: sync_interval 0 and no next_sync_at, so the scheduler leaves it alone). chart-0000 holds
 * a tenth of the versions, the rest are spread evenly; every fifth version is deprecated; each
 * chart has the keyword "k<n mod 10>".
 */
export async function seedScaleRegistry(
  databaseUrl: string,
  options: { name: string; charts: number; versions: number },
): Promise<ScaleRegistry> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const org = await client.query<{ id: string }>("SELECT id FROM organizations WHERE name = 'default'");
    const organizationId = org.rows[0]?.id;
    if (organizationId === undefined) throw new Error("No default organisation: is registry-api started?");
    const bigVersions = Math.floor(options.versions / 10);
    const others = options.charts - 1;
    const perChart = Math.floor((options.versions - bigVersions) / others);
    const bigChartVersions = options.versions - perChart * others;
    await client.query("BEGIN");
    const registry = await client.query<{ id: string }>(
      `INSERT INTO registries (organization_id, name, url, kind, sync_interval_seconds, next_sync_at, state,
                               last_sync_at, last_success_at, last_outcome)
       VALUES ($1, $2, 'https://scale.example.invalid/charts', 'http_registry', 0, NULL, 'ok', now(), now(), 'updated')
       RETURNING id`,
      [organizationId, options.name],
    );
    const registryId = registry.rows[0]!.id;
    await client.query(
      `INSERT INTO charts (registry_id, name, description, keywords, latest_version, app_version, versions)
       SELECT $1, format('chart-%s', lpad(i::text, 4, '0')),
              format('Scale test chart %s: %s', i, repeat('a long description ', i % 7)),
              ARRAY['scale', format('k%s', i % 10)],
              format('1.%s.0', CASE WHEN i = 0 THEN $3::int - 1 ELSE $4::int - 1 END), '2.0.0',
              CASE WHEN i = 0 THEN $3::int ELSE $4::int END
         FROM generate_series(0, $2::int - 1) AS i`,
      [registryId, options.charts, bigChartVersions, perChart],
    );
    await client.query(
      `INSERT INTO chart_versions (chart_id, registry_id, version, app_version, description, state, deprecated, urls)
       SELECT c.id, c.registry_id, format('1.%s.0', v), '2.0.0', c.description, 'ready', v % 5 = 0,
              ARRAY[format('https://scale.example.invalid/charts/%s-1.%s.0.tgz', c.name, v)]
         FROM charts c CROSS JOIN LATERAL generate_series(0, c.versions - 1) AS v
        WHERE c.registry_id = $1`,
      [registryId],
    );
    await client.query("COMMIT");
    const counted = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM chart_versions WHERE registry_id = $1", [registryId]);
    if (counted.rows[0]?.n !== options.versions) throw new Error(`Seeded ${counted.rows[0]?.n} versions, not ${options.versions}`);
    return { registryId, charts: options.charts, versions: options.versions, bigChart: { name: "chart-0000", versions: bigChartVersions } };
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    await client.end();
  }
}
