import type { Logger } from "@charthouse/logging";

/** A service's tracing: shutdown() sends the spans still buffered (drain). */
export interface Tracing {
  /** True when spans are exported (OTEL_EXPORTER_OTLP_ENDPOINT was set). */
  readonly enabled: boolean;
  shutdown(): Promise<void>;
}

/**
 * Starts OpenTelemetry tracing for `service` when `OTEL_EXPORTER_OTLP_ENDPOINT` is set: spans
 * batched and sent over OTLP/HTTP (the exporter reads the standard `OTEL_EXPORTER_OTLP_*` and
 * `OTEL_BSP_*` variables itself), the W3C trace context propagator, and an AsyncLocalStorage
 * context so a span follows its async work. When it is not set, nothing at all is started (the
 * SDK is not even loaded, which saves about half a second of start-up): the API's no-op tracer
 * stays in place and messages carry no trace headers. Call it before anything makes spans.
 */
export async function startTracing(
  service: string,
  options: { env?: Readonly<Record<string, string | undefined>>; log?: Logger } = {},
): Promise<Tracing> {
  // These are OpenTelemetry's own variables, read by its SDK; we only look whether one is set.
  const env = options.env ?? process.env;
  const endpoint = env["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] || env["OTEL_EXPORTER_OTLP_ENDPOINT"];
  if (!endpoint) return { enabled: false, shutdown: () => Promise.resolve() };
  const [{ OTLPTraceExporter }, { resourceFromAttributes }, { BatchSpanProcessor }, { NodeTracerProvider }, { ATTR_SERVICE_NAME }] =
    await Promise.all([
      import("@opentelemetry/exporter-trace-otlp-http"),
      import("@opentelemetry/resources"),
      import("@opentelemetry/sdk-trace-base"),
      import("@opentelemetry/sdk-trace-node"),
      import("@opentelemetry/semantic-conventions"),
    ]);
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: service }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  provider.register();
  options.log?.info({ endpoint: redactedEndpoint(endpoint) }, "Exporting traces over OTLP/HTTP");
  return {
    enabled: true,
    async shutdown() {
      try {
        await provider.shutdown();
      } catch (err) {
        options.log?.warn({ error: err instanceof Error ? err.message : String(err) }, "Cannot send the last spans");
      }
    },
  };
}

// An endpoint may carry credentials in its URL: log only its origin and path.
function redactedEndpoint(endpoint: string): string {
  try {
    const url = new URL(endpoint);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return "(not a URL)";
  }
}
