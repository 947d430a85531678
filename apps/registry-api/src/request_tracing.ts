import { context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { RequestHandler } from "express";

const tracer = trace.getTracer("@charthouse/registry-api");

/**
 * A server span per request, named by its route pattern (`POST /api/v1/registries`, never the
 * raw path), with the rest of the request handled inside it: the sync request a registry's
 * creation publishes carries this span's trace to the fetchers. A no-op without tracing.
 */
export function requestTracing(labelRoute: (method: string, path: string) => string): RequestHandler {
  return (req, res, next) => {
    const route = labelRoute(req.method, pathOf(req.originalUrl));
    const span = tracer.startSpan(`${req.method} ${route}`, {
      kind: SpanKind.SERVER,
      attributes: { "http.request.method": req.method, "http.route": route },
    });
    res.once("close", () => {
      span.setAttribute("http.response.status_code", res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    const active = trace.setSpan(context.active(), span);
    // The body parser continues from the socket's events: bind them so the route still runs in the span.
    context.bind(active, req);
    context.with(active, next);
  };
}

function pathOf(url: string): string {
  const query = url.indexOf("?");
  return query === -1 ? url : url.slice(0, query);
}
