import { trace } from "@opentelemetry/api";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { contextFromHeaders, inConsumerSpan, traceHeaders } from "./trace_context.ts";

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const tracer = trace.getTracer("trace_context_test");

describe("trace context in NATS headers", () => {
  beforeAll(() => provider.register());
  afterAll(async () => await provider.shutdown());
  beforeEach(() => exporter.reset());

  it("traceHeaders() carries nothing outside a span", () => {
    expect(traceHeaders()).toBeUndefined();
  });

  it("traceHeaders() carries the active span as a W3C traceparent that contextFromHeaders() reads back", () => {
    tracer.startActiveSpan("publish", (span) => {
      const hdrs = traceHeaders();
      const { traceId, spanId } = span.spanContext();
      expect(hdrs?.get("traceparent")).toBe(`00-${traceId}-${spanId}-01`);
      const extracted = trace.getSpanContext(contextFromHeaders(hdrs));
      expect(extracted).toMatchObject({ traceId, spanId, isRemote: true });
      span.end();
    });
  });

  it("inConsumerSpan() continues the publisher's trace, records subject and outcome, and its publishes carry it on", async () => {
    let hdrs: ReturnType<typeof traceHeaders>;
    let publisher = { traceId: "", spanId: "" };
    tracer.startActiveSpan("POST /registries", (span) => {
      hdrs = traceHeaders();
      publisher = span.spanContext();
      span.end();
    });
    let downstream: ReturnType<typeof traceHeaders>;
    const outcome = await inConsumerSpan("sync.requested.http.v1", hdrs, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      downstream = traceHeaders();
      return "ack";
    });
    expect(outcome).toBe("ack");
    const consumer = exporter.getFinishedSpans().find((s) => s.name === "sync.requested.http.v1 process");
    expect(consumer?.spanContext().traceId).toBe(publisher.traceId);
    expect(consumer?.parentSpanContext?.spanId).toBe(publisher.spanId);
    expect(consumer?.attributes).toMatchObject({ "messaging.destination.name": "sync.requested.http.v1", "charthouse.outcome": "ack" });
    expect(downstream?.get("traceparent")).toContain(`-${consumer?.spanContext().spanId}-`);
  });

  it("inConsumerSpan() starts a new trace for a message without headers", async () => {
    await inConsumerSpan("chart.downloaded.v1", undefined, () => Promise.resolve("term"));
    const [span] = exporter.getFinishedSpans();
    expect(span?.parentSpanContext).toBeUndefined();
    expect(span?.status.code).toBe(2);
  });
});
