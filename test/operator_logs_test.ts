import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, makeTempDir, startNginx, waitFor, type NginxServer } from "@charthouse/testing";
import type { RegistryJson } from "@charthouse/api-types";
import { startCharthouse, type CharthouseUnderTest } from "./support/running_charthouse.ts";

let charthouse: CharthouseUnderTest;
let nginx: NginxServer;
let deadPort: number;

/** An index whose archives all live on a host nothing listens on. */
function indexOnDeadHost(port: number, versions: number): string {
  const entries = Array.from({ length: versions }, (_, i) =>
    [
      `  - apiVersion: v2`,
      `    name: gone`,
      `    version: 1.0.${i}`,
      `    digest: ${String(i).padStart(64, "a")}`,
      `    urls: ["http://127.0.0.1:${port}/gone-1.0.${i}.tgz"]`,
    ].join("\n"),
  );
  return `apiVersion: v1\nentries:\n  gone:\n${entries.join("\n")}\ngenerated: "2026-01-01T00:00:00Z"\n`;
}

beforeAll(async () => {
  deadPort = await freePort();
  const root = await makeTempDir("charthouse-dead-host-");
  await writeFile(join(root, "index.yaml"), indexOnDeadHost(deadPort, 4));
  nginx = await startNginx({ root });
  charthouse = await startCharthouse({ env: { CHARTHOUSE_RETRY_MAX_DELAY_MS: "2000" } });
});

afterAll(async () => {
  await charthouse?.stop();
  await nginx?.stop();
});

const metricsOf = async (service: string): Promise<string> =>
  await (await fetch(`http://127.0.0.1:${charthouse.ports.get(service as never)}/metrics`)).text();

describe("logs and metrics an operator reads while a registry host is unreachable", () => {
  it("logs each retried delivery as one line with code and message, no stack trace, and the breaker once when it opens", async () => {
    const created = await charthouse.api<RegistryJson>("POST", "/registries", { name: "dead-host", url: `${nginx.url}/` });
    expect(created.status).toBe(201);
    const downloaderLines = (): string[] =>
      charthouse
        .logs()
        .split("\n")
        .filter((line) => line.includes('"chart-downloader"'));
    const retried = (): string[] => downloaderLines().filter((line) => line.includes("Failed for a passing reason; retrying"));
    await waitFor(() => retried().length >= 6 && downloaderLines().some((l) => l.includes("Registry host keeps failing")), {
      what: "retried downloads and the breaker opening",
      timeoutMs: 60_000,
      intervalMs: 250,
    });
    for (const line of retried()) {
      const entry = JSON.parse(line) as Record<string, unknown>;
      expect(entry["code"]).toBe("connection_failed");
      expect(typeof entry["error"]).toBe("string");
      expect(entry).not.toHaveProperty("err");
      expect(line).not.toMatch(/\bat .*\(.*:\d+:\d+\)|"stack"/);
      expect(line.length).toBeLessThan(1_500);
    }
    const everything = downloaderLines().join("\n");
    expect(everything).not.toContain('"stack"');
    expect(downloaderLines().filter((l) => l.includes("Registry host keeps failing")).length).toBeLessThanOrEqual(
      retried().length / 2,
    );
  });

  it("counts the open breaker by host and the sync by kind and outcome on the workers' /metrics", async () => {
    await waitFor(async () => (await metricsOf("chart-downloader")).includes(`charthouse_circuit_breakers_open{host="127.0.0.1:${deadPort}",service="chart-downloader"} 1`), {
      what: "the open breaker on chart-downloader's /metrics",
      timeoutMs: 30_000,
      intervalMs: 250,
    });
    const fetcher = await metricsOf("index-fetcher");
    expect(fetcher).toMatch(/charthouse_syncs_total\{kind="http",outcome="updated",service="index-fetcher"\} 1/);
    expect(fetcher).toMatch(/charthouse_index_bytes_total\{service="index-fetcher"\} [1-9]/);
    // The sync is over: no full-sync slot is held or waited for.
    expect(fetcher).toContain('charthouse_full_syncs_running{service="index-fetcher"} 0');
    expect(fetcher).toContain('charthouse_full_syncs_waiting{service="index-fetcher"} 0');
    expect(fetcher).not.toContain("dead-host");
  });
});
