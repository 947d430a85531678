/**
 * Comparing two versions of a large chart through the running registry-api: a chart with a
 * 3,000-line values.yaml and a 2,000-property values.schema.json (generated), two versions made
 * by helm, served by nginx and synced by the whole stack; then GET .../compare: the first
 * comparison, the latency of the ones after it, and comparisons per second with 8 concurrent
 * clients. Prints one table with the goal beside each figure; run with `npm run bench`.
 */
import { makeChart, makeTempDir, removeTempDir, runHelm, startNginx, waitFor } from "@charthouse/testing";
import { startCharthouse } from "../test/support/running_charthouse.ts";
import { recordGoals } from "./support/goals.ts";
import { percentile } from "./support/measures.ts";

const sections = 350;
const leavesPerSection = 9;
const schemaSections = 200;

/** values.yaml of a version: sections of 9 leaves (3,001 and 3,151 lines); `revision` 2 changes, adds and drops some. */
function valuesYaml(revision: 1 | 2): string {
  const lines: string[] = ["# generated for the comparison benchmark"];
  for (let s = 0; s < sections; s++) {
    // Every tenth section is dropped in revision 2, and every seventh is new in it.
    if (revision === 2 && s % 10 === 9) continue;
    if (revision === 1 && s % 7 === 6) continue;
    lines.push(`section${s}:`);
    for (let l = 0; l < leavesPerSection; l++) {
      if (l === 0) lines.push(`  image: registry.example.com/team/app${s}:${revision === 2 && s % 5 === 0 ? "2.0" : "1.0"}`);
      else if (l === 1) lines.push(`  enabled: ${revision === 2 && s % 3 === 0 ? "false" : "true"}`);
      else lines.push(`  setting${l}: "value ${s}-${l}${revision === 2 && s % 11 === 0 && l === 2 ? " changed" : ""}"`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/** values.schema.json: 200 object properties of 9 properties each (2,000 properties); revision 2 changes some types and enums. */
function valuesSchema(revision: 1 | 2): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (let s = 0; s < schemaSections; s++) {
    const inner: Record<string, unknown> = {
      image: { type: "string" },
      enabled: { type: revision === 2 && s % 13 === 0 ? ["boolean", "string"] : "boolean", default: true },
    };
    for (let l = 2; l < leavesPerSection; l++) {
      inner[`setting${l}`] = revision === 2 && s % 17 === 0 && l === 3 ? { type: "string", enum: ["a", "b"] } : { type: "string" };
    }
    properties[`section${s}`] = { type: "object", properties: inner, ...(revision === 2 && s % 19 === 0 ? { required: ["image"] } : {}) };
  }
  return { $schema: "http://json-schema.org/draft-07/schema#", type: "object", properties };
}

const root = await makeTempDir("charthouse-compare-bench-");
for (const revision of [1, 2] as const) {
  await makeChart(root, { name: "big", version: `${revision}.0.0`, values: valuesYaml(revision), schema: valuesSchema(revision) });
}
await runHelm(["repo", "index", root]);
const nginx = await startNginx({ root });
const charthouse = await startCharthouse().catch(async (err: unknown) => {
  await nginx.stop();
  throw err;
});
try {
  const created = await charthouse.api<{ id: string }>("POST", "/registries", { name: "compare-bench", url: `${nginx.url}/`, sync_interval_seconds: 0 });
  await waitFor(
    async () => {
      const { body } = await charthouse.api<{ status: { versions: number; versions_pending: number } }>("GET", `/registries/${created.body.id}`);
      return body.status.versions === 2 && body.status.versions_pending === 0;
    },
    { what: "both versions to be ready", timeoutMs: 180_000, intervalMs: 250 },
  );
  const url = `${charthouse.apiUrl}/api/v1/registries/${created.body.id}/charts/big/compare?from=1.0.0&to=2.0.0`;
  const headers = { authorization: `Bearer ${charthouse.token}` };
  const compareOnce = async (): Promise<{ ms: number; bytes: number; body: string }> => {
    const started = performance.now();
    const response = await fetch(url, { headers });
    const body = await response.text();
    if (response.status !== 200) throw new Error(`compare answered ${response.status}: ${body.slice(0, 300)}`);
    return { ms: performance.now() - started, bytes: Buffer.byteLength(body), body };
  };

  const first = await compareOnce();
  const comparison = JSON.parse(first.body) as { values: Record<string, unknown[]>; schema: Record<string, unknown[]>; images: Record<string, unknown[]> };
  const sequential: number[] = [];
  for (let i = 0; i < 300; i++) sequential.push((await compareOnce()).ms);
  sequential.sort((a, b) => a - b);

  const clients = 8;
  const seconds = 10;
  let done = 0;
  const concurrent: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < deadline) {
        concurrent.push((await compareOnce()).ms);
        done++;
      }
    }),
  );
  const rate = done / ((performance.now() - started) / 1000);
  concurrent.sort((a, b) => a - b);

  const count = (section: Record<string, unknown[]>): string =>
    Object.entries(section)
      .filter(([, list]) => Array.isArray(list))
      .map(([name, list]) => `${list.length} ${name}`)
      .join(", ");
  const lines = [
    `Chart: values.yaml of ${valuesYaml(1).split("\n").length - 1} and ${valuesYaml(2).split("\n").length - 1} lines, values.schema.json of ${schemaSections * (leavesPerSection + 1)} properties; answer ${(first.bytes / 1024).toFixed(0)} KiB`,
    `Differences: values ${count(comparison.values)}; schema ${count(comparison.schema)}; images ${count(comparison.images)}`,
    "",
    "| measure | Charthouse | goal | within goal |",
    "| --- | --- | --- | --- |",
    `| first comparison (ms, reads and parses both versions) | ${first.ms.toFixed(1)} | - | - |`,
    `| after the first, one client: p50 (ms, of ${sequential.length}) | ${percentile(sequential, 50).toFixed(1)} | < 50 | ${percentile(sequential, 50) < 50 ? "yes" : "no"} |`,
    `| after the first, one client: p99 (ms) | ${percentile(sequential, 99).toFixed(1)} | < 50 | ${percentile(sequential, 99) < 50 ? "yes" : "no"} |`,
    `| ${clients} concurrent clients: comparisons per second (${seconds} s) | ${rate.toFixed(0)} | >= 200 | ${rate >= 200 ? "yes" : "no"} |`,
    `| ${clients} concurrent clients: p50 / p99 (ms) | ${percentile(concurrent, 50).toFixed(1)} / ${percentile(concurrent, 99).toFixed(1)} | - | - |`,
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  const goal = "compare versions (issue 14)";
  const p50 = percentile(sequential, 50);
  const p99 = percentile(sequential, 99);
  await recordGoals("compare", [
    { goal, figure: "one client, p50 (ms)", charthouse: p50, target: "< 50 ms", holds: p50 < 50 },
    { goal, figure: "one client, p99 (ms)", charthouse: p99, target: "< 50 ms", holds: p99 < 50 },
    { goal, figure: `${clients} clients, comparisons/s`, charthouse: rate, target: ">= 200/s", holds: rate >= 200 },
  ]);
} finally {
  await charthouse.stop();
  await nginx.stop();
  await removeTempDir(root);
}
