import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
  type TextMapGetter,
} from "@opentelemetry/api";
import { headers as natsHeaders, type MsgHdrs } from "nats";

/**
 * The W3C trace context (`traceparent`, `tracestate`) of the active span as NATS message
 * headers, or undefined when there is nothing to carry (no tracing started, no active span).
 */
export function traceHeaders(from: Context = context.active()): MsgHdrs | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(from, carrier);
  const entries = Object.entries(carrier);
  if (entries.length === 0) return undefined;
  const hdrs = natsHeaders();
  for (const [key, value] of entries) hdrs.set(key, value);
  return hdrs;
}

const headerGetter: TextMapGetter<MsgHdrs | undefined> = {
  keys: (carrier) => carrier?.keys() ?? [],
  get: (carrier, key) => {
    if (carrier === undefined || !carrier.has(key)) return undefined;
    return carrier.get(key);
  },
};

/** The publisher's trace context read from a message's headers (the root context when it has none). */
export function contextFromHeaders(hdrs: MsgHdrs | undefined): Context {
  return propagation.extract(ROOT_CONTEXT, hdrs, headerGetter);
}

const tracer = trace.getTracer("@charthouse/messaging");

/**
 * Runs `work` inside a consumer span for one delivery of `subject`, a child of the publisher's
 * context carried in `hdrs`, so whatever the work publishes carries the same trace on. The span
 * ends with the outcome `work` returns (ack, retry, deferred, term, invalid). Without a tracer
 * provider (tracing not started) the span is a no-op and costs next to nothing.
 */
export async function inConsumerSpan<T extends string>(
  subject: string,
  hdrs: MsgHdrs | undefined,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = contextFromHeaders(hdrs);
  return await tracer.startActiveSpan(
    `${subject} process`,
    {
      kind: SpanKind.CONSUMER,
      attributes: { "messaging.system": "nats", "messaging.destination.name": subject, "messaging.operation.type": "process" },
    },
    parent,
    async (span) => {
      try {
        const outcome = await work(span);
        span.setAttribute("charthouse.outcome", outcome);
        if (outcome === "term" || outcome === "invalid") span.setStatus({ code: SpanStatusCode.ERROR });
        return outcome;
      } catch (err) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
        throw err;
      } finally {
        span.end();
      }
    },
  );
}
