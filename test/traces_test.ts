import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startNginx, waitFor, type NginxServer } from "@charthouse/testing";
import type { RegistryJson } from "@charthouse/api-types";
import { startCharthouse, type CharthouseUnderTest } from "./support/running_charthouse.ts";
import { makeChartRepository } from "./support/chart_repository.ts";
import { registryWhen } from "./support/api_waits.ts";
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from "./support/otlp_receiver.ts";

let charthouse: CharthouseUnderTest;
let nginx: NginxServer;
let receiver: OtlpReceiver;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  const repository = await makeChartRepository([
    { name: "traced", version: "1.0.0", readme: "# traced\n", values: "replicaCount: 1\n" },
    { name: "traced", version: "1.1.0", values: "replicaCount: 2\n" },
    { name: "other", version: "0.1.0" },
  ]);
  nginx = await startNginx({ root: repository.root });
  charthouse = await startCharthouse({
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      // Export within a fraction of a second instead of the default 5 s.
      OTEL_BSP_SCHEDULE_DELAY: "200",
    },
  });
});

afterAll(async () => {
  await charthouse?.stop();
  await nginx?.stop();
  await receiver?.close();
});

describe("traces across the services", () => {
  it("follows one registry from POST /registries through the fetch, every download and every extraction in one trace", async () => {
    const created = await charthouse.api<RegistryJson>("POST", "/registries", { name: "traced-charts", url: `${nginx.url}/` });
    expect(created.status).toBe(201);
    await registryWhen(charthouse, created.body.id, (r) => r.status.versions === 3 && r.status.versions_pending === 0, "every version to be ready");

    const spansOfTrace = (): ReceivedSpan[] => {
      const root = receiver.spans().find((s) => s.service === "registry-api" && s.name === "POST /api/v1/registries");
      return root === undefined ? [] : receiver.spans().filter((s) => s.traceId === root.traceId);
    };
    const count = (spans: ReceivedSpan[], subject: string): number =>
      spans.filter((s) => s.attributes["messaging.destination.name"] === subject && s.attributes["charthouse.outcome"] === "ack").length;
    await waitFor(
      () => {
        const spans = spansOfTrace();
        return count(spans, "chart.download.requested.v1") >= 3 && count(spans, "chart.downloaded.v1") >= 3;
      },
      { what: "the spans of every download and extraction", timeoutMs: 20_000, intervalMs: 200 },
    );
    const spans = spansOfTrace();
    const services = new Set(spans.map((s) => s.service));
    expect([...services].sort()).toEqual(expect.arrayContaining(["chart-downloader", "index-fetcher", "metadata-extractor", "registry-api"]));
    // Every span but the request's own has its parent in the same trace: one tree, not loose pieces.
    const ids = new Set(spans.map((s) => s.spanId));
    const root = spans.find((s) => s.name === "POST /api/v1/registries")!;
    for (const span of spans) if (span !== root) expect(ids.has(span.parentSpanId), `${span.service} ${span.name}`).toBe(true);
    const sync = spans.find((s) => s.attributes["messaging.destination.name"] === "sync.requested.http.v1");
    expect(sync).toMatchObject({ service: "index-fetcher", parentSpanId: root.spanId });
    // No registry name or id in a span name.
    for (const span of spans) expect(span.name).not.toMatch(/traced-charts|[0-9a-f]{8}-[0-9a-f]{4}-/);
  });

  it("times each version from discovered to ready on metadata-extractor's /metrics", async () => {
    const text = await (await fetch(`http://127.0.0.1:${charthouse.ports.get("metadata-extractor")}/metrics`)).text();
    expect(text).toMatch(/charthouse_version_discovered_to_ready_seconds_count\{service="metadata-extractor"\} 3\n/);
  });
});
