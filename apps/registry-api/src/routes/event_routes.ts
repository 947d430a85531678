import { Router } from "express";
import type { ApiTokenRepository } from "@charthouse/db";
import { UnavailableError } from "@charthouse/errors";
import type { Logger } from "@charthouse/logging";
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
  /** How often the tokens of open streams are checked again: a revoked or expired token's stream is ended. */
  tokenRecheckMs?: number;
}

/** The SSE event that tells a client its Last-Event-ID could not be resumed: reload what it shows. */
export const resumeGapEventName = "stream.reset";

/**
 * GET /events: Server-Sent Events of the token's organisation (api.md "Events"), fed by the
 * process's one EventFeed. `Last-Event-ID` resumes after that stream sequence.
 */
export function eventRoutes(feed: EventFeed, auth: { db: { tokens: ApiTokenRepository }; log: Logger }, options: EventRouteOptions = {}): Router {
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const tokenRecheckMs = options.tokenRecheckMs ?? 60_000;
  const limits = { retryMs: options.retryMs ?? 3_000, maxBufferedBytes: options.maxBufferedBytes ?? 1 << 20 };
  /** Each open stream and the token it was opened with. */
  const clients = new Map<SseStream, string>();
  // One timer each for every client of this router, running only while some are connected.
  let heartbeat: NodeJS.Timeout | null = null;
  let recheck: NodeJS.Timeout | null = null;
  const router = Router();

  // A stream outlives the request that authenticated it: end those whose token was revoked or expired since.
  const endRevokedStreams = async (): Promise<void> => {
    const tokenIds = [...new Set(clients.values())];
    if (tokenIds.length === 0) return;
    const stillValid = await auth.db.tokens.stillUsable(tokenIds);
    for (const [stream, tokenId] of clients) if (!stillValid.has(tokenId)) stream.close();
  };

  router.get("/events", (req, res) => {
    const { organizationId, tokenId } = authOf(res);
    if (feed.full) {
      res.set("Retry-After", "10");
      throw new UnavailableError(`This API process already streams events to ${feed.size} clients`, { code: "unavailable" });
    }
    const stream = new SseStream(res, {
      ...limits,
      onDrop: (drop) => auth.log.warn({ organizationId, ...drop }, "Dropped a slow event stream client; it resumes with Last-Event-ID"),
    });
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
    clients.set(stream, tokenId);
    heartbeat ??= setInterval(() => {
      for (const client of clients.keys()) client.comment("heartbeat");
    }, heartbeatMs).unref();
    recheck ??= setInterval(() => {
      endRevokedStreams().catch((err: unknown) => auth.log.warn({ err }, "Cannot check the tokens of open event streams"));
    }, tokenRecheckMs).unref();
    res.on("close", () => {
      unsubscribe();
      clients.delete(stream);
      if (clients.size === 0) {
        if (heartbeat !== null) clearInterval(heartbeat);
        if (recheck !== null) clearInterval(recheck);
        heartbeat = null;
        recheck = null;
      }
    });
  });

  return router;
}

function resumeGapData(gap: ResumeGap): Record<string, unknown> {
  return { reason: gap.reason, last_event_id: gap.lastEventId, detail: gap.detail };
}
