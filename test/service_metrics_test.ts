import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { metricSample, startNginx, waitFor, type NginxServer } from "@charthouse/testing";
import type { RegistryJson } from "@charthouse/api-types";
import { startCharthouse, type CharthouseUnderTest } from "./support/running_charthouse.ts";
import { makeChartRepository } from "./support/chart_repository.ts";
import { registryWhen } from "./support/api_waits.ts";

let charthouse: CharthouseUnderTest;
let nginx: NginxServer;

/** Runs Debian's `promtool check metrics` (scripts/ensure_test_peers.sh installs it) on an exposition; its exit code and output. */
function promtoolCheckMetrics(text: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("promtool", ["check", "metrics"], { stdio: ["pipe", "pipe", "pipe"], timeout: 60_000 });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
    child.stdin.end(text);
  });
}


beforeAll(async () => {
  const repository = await makeChartRepository([
    { name: "web", version: "1.0.0", readme: "# web\n", values: "replicaCount: 1\n" },
    { name: "web", version: "1.1.0", values: "replicaCount: 2\n" },
    { name: "db", version: "0.1.0", values: "storage: 1Gi\n" },
  ]);
  nginx = await startNginx({ root: repository.root });
  charthouse = await startCharthouse();
});

afterAll(async () => {
  await charthouse?.stop();
  await nginx?.stop();
});

describe("/metrics of the running services", () => {
  let registryId: string;

  it("registry-api exports the catalogue, sync times, consumer lag and its requests by route after a sync", async () => {
    const created = await charthouse.api<RegistryJson>("POST", "/registries", { name: "metrics-charts", url: `${nginx.url}/` });
    expect(created.status).toBe(201);
    registryId = created.body.id;
    await registryWhen(charthouse, registryId, (r) => r.status.versions === 3 && r.status.versions_pending === 0, "every version ready");
    expect((await charthouse.api("GET", `/registries/${registryId}`)).status).toBe(200);

    const api = `http://127.0.0.1:${charthouse.ports.get("registry-api")}`;
    // Scrapes reuse reads for a few seconds: poll until this sync's state shows.
    let text = "";
    await waitFor(
      async () => {
        text = await (await fetch(`${api}/metrics`)).text();
        return metricSample(text, "charthouse_chart_versions", { state: "ready" }) === 3 && metricSample(text, "charthouse_registries", { state: "ok" }) === 1;
      },
      { what: "the gauges to show the synced registry", timeoutMs: 30_000, intervalMs: 500 },
    );
    const lastSync = metricSample(text, "charthouse_last_successful_sync_timestamp_seconds") ?? 0;
    expect(Math.abs(Date.now() / 1000 - lastSync)).toBeLessThan(120);
    expect(metricSample(text, "charthouse_oldest_successful_sync_timestamp_seconds")).toBeGreaterThan(0);
    for (const [stream, consumer] of [
      ["CHARTHOUSE_SYNC", "index-fetcher"],
      ["CHARTHOUSE_SYNC", "oci-fetcher"],
      ["CHARTHOUSE_DOWNLOADS", "chart-downloader"],
      ["CHARTHOUSE_EXTRACTIONS", "metadata-extractor"],
      ["CHARTHOUSE_EVENTS", "notifier"],
    ] as const) {
      expect(metricSample(text, "charthouse_jetstream_consumer_pending", { stream, consumer }), consumer).toBe(0);
      expect(metricSample(text, "charthouse_jetstream_consumer_ack_pending", { stream, consumer }), consumer).toBe(0);
    }
    expect(metricSample(text, "charthouse_sse_clients")).toBe(0);
    expect(metricSample(text, "charthouse_http_requests_total", { route: "/api/v1/registries", method: "POST", status: "201" })).toBe(1);
    expect(metricSample(text, "charthouse_http_requests_total", { route: "/api/v1/registries/:id", method: "GET", status: "200" })).toBeGreaterThanOrEqual(1);
    // Organisation-agnostic: no registry id or name in any label.
    expect(text).not.toContain(registryId);
    expect(text).not.toContain("metrics-charts");
  });

  it("passes promtool check metrics on every service", async () => {
    const problems: Record<string, string> = {};
    for (const [service, port] of charthouse.ports) {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(text, service).toContain(`service="${service}"`);
      const { code, output } = await promtoolCheckMetrics(text);
      if (code !== 0) problems[service] = output.trim();
    }
    expect(problems).toEqual({});
  });
});
