import { Router } from "express";
import { UnavailableError } from "@charthouse/errors";
import { authOf } from "../auth.ts";
import type { EventFeed, ResumeGap } from "../events_feed.ts";
import { sseFrame, SseStream } from "../events_sse.ts";

/** Timing and memory limits of /events responses. */
export interface EventRouteOptions {
  /** A comment is sent this often so proxies and clients see the connection alive. */
  heartbeatMs?: number;
  /** The `retry:` a client waits before reconnecting. */
  retryMs?: number;
  /** A client with more unread output than this is dropped as too slow. */
  maxBufferedBytes?: number;
}

/** The SSE event that tells a client its Last-Event-ID could not be resumed: reload what it shows. */
export const resumeGapEventName = "stream.reset";

/**
 * GET /events: Server-Sent Events of the token's organisation (api.md "Events"), fed by the
 * process's one EventFeed. `Last-Event-ID` resumes after that stream sequence.
 */
export function eventRoutes(feed: EventFeed, options: EventRouteOptions = {}): Router {
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const limits = { retryMs: options.retryMs ?? 3_000, maxBufferedBytes: options.maxBufferedBytes ?? 1 << 20 };
  const clients = new Set<SseStream>();
  // One timer for every client of this router, running only while some are connected.
  let heartbeat: NodeJS.Timeout | null = null;
  const router = Router();

  router.get("/events", (req, res) => {
    const { organizationId } = authOf(res);
    if (feed.full) {
      res.set("Retry-After", "10");
      throw new UnavailableError(`This API process already streams events to ${feed.size} clients`, { code: "unavailable" });
    }
    const stream = new SseStream(res, limits);
    stream.open();
    const lastEventId = req.get("last-event-id")?.trim() || undefined;
    const unsubscribe = feed.subscribe(
      {
        organizationId,
        deliver: (event) => {
          stream.send(event.frames);
        },
        drained: () => stream.drained(),
        resumeGap: (gap) => {
          stream.comment(gap.detail);
          stream.send(sseFrame({ id: gap.seq, name: resumeGapEventName, data: resumeGapData(gap) }));
        },
        close: () => stream.close(),
      },
      lastEventId === undefined ? {} : { lastEventId },
    );
    clients.add(stream);
    heartbeat ??= setInterval(() => {
      for (const client of clients) client.comment("heartbeat");
    }, heartbeatMs).unref();
    res.on("close", () => {
      unsubscribe();
      clients.delete(stream);
      if (clients.size === 0 && heartbeat !== null) {
        clearInterval(heartbeat);
        heartbeat = null;
      }
    });
  });

  return router;
}

function resumeGapData(gap: ResumeGap): Record<string, unknown> {
  return { reason: gap.reason, last_event_id: gap.lastEventId, detail: gap.detail };
}
