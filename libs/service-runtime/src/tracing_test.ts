import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { trace } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import { startTracing } from "./tracing.ts";

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (text += chunk));
    req.on("end", () => resolve(text));
    req.on("error", reject);
  });
}

describe("startTracing()", () => {
  it("starts nothing without OTEL_EXPORTER_OTLP_ENDPOINT", async () => {
    const tracing = await startTracing("scheduler", { env: {} });
    expect(tracing.enabled).toBe(false);
    const span = trace.getTracer("t").startSpan("nothing");
    expect(span.isRecording()).toBe(false);
    span.end();
    await tracing.shutdown();
  });

  it("exports spans with the service name over OTLP/HTTP JSON when the endpoint is set", async () => {
    const received: unknown[] = [];
    const server = createServer((req, res) => {
      void body(req).then((text) => {
        if (req.url === "/v1/traces") received.push(JSON.parse(text));
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    process.env["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint;
    try {
      const tracing = await startTracing("index-fetcher", { env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint } });
      expect(tracing.enabled).toBe(true);
      trace.getTracer("t").startSpan("work").end();
      await tracing.shutdown();
    } finally {
      delete process.env["OTEL_EXPORTER_OTLP_ENDPOINT"];
      server.close();
    }
    const text = JSON.stringify(received);
    expect(text).toContain('"service.name"');
    expect(text).toContain('"index-fetcher"');
    expect(text).toContain('"work"');
  });
});
