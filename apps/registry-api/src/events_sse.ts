import type { Response } from "express";
import type { ChartVersionEvent, ChartVersionsEvent, RegistrySyncEvent } from "@charthouse/contracts";

/** One event of the EVENTS stream as /events sends it, its SSE frames formatted at most once for every client. */
export interface FeedEvent {
  /** The JetStream stream sequence: the SSE `id:`. */
  seq: number;
  /** The subject without its version: `registry.sync.started`, `chart.version.ready`, ... */
  name: string;
  organizationId: string;
  /** The registry it happened to. */
  registryId: string;
  /** How a sync ended, on registry.sync.finished: an unchanged one changed nothing to rebuild. */
  outcome?: string | null;
  /** Its SSE events (`event:`, `data:` of the payload in snake_case, `id:`), ready to write. */
  readonly frames: string;
}

/** A payload of any event of the EVENTS stream. */
export type LiveEventPayload = ChartVersionEvent | ChartVersionsEvent | RegistrySyncEvent;

/**
 * The SSE text of one stream message. A message of one chart's discovered/removed versions is
 * fanned out as one event per version (api.md lists per-version events), shaped like
 * chart.version.ready/failed. Only the last carries the `id:`: a client cut off mid-message
 * resumes before it and gets the whole message again, never skips part of it.
 */
export function sseFramesOf(name: string, seq: number, payload: LiveEventPayload): string {
  if (!("versions" in payload)) return sseFrame({ id: seq, name, data: snakeCaseKeys(payload) });
  const { organizationId, registryId, chart, at } = payload;
  return payload.versions
    .map((v, i) =>
      sseFrame({
        ...(i === payload.versions.length - 1 ? { id: seq } : {}),
        name,
        data: snakeCaseKeys({ organizationId, registryId, versionId: v.versionId, chart, version: v.version, error: null, at }),
      }),
    )
    .join("");
}

/** The SSE name of an event subject: its subject without the `.vN` version suffix. */
export function sseEventName(subject: string): string {
  return subject.replace(/\.v\d+$/, "");
}

/** A payload with the API's snake_case field names (the contracts use camelCase), nested objects too. */
export function snakeCaseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeCaseKeys);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), snakeCaseKeys(inner)]),
  );
}

/** One SSE event: `id:`, `event:`, one `data:` line of JSON, and the blank line that ends it. */
export function sseFrame(event: { id?: number; name: string; data: unknown }): string {
  const id = event.id === undefined ? "" : `id: ${event.id}\n`;
  // JSON.stringify never emits a raw newline, so the payload is always one data line.
  return `${id}event: ${event.name}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

/** Limits of one SSE response. */
export interface SseStreamLimits {
  /** Bytes written but not yet taken by the client above which it is dropped as too slow. */
  maxBufferedBytes: number;
  /** `retry:` sent first: how long a client waits before reconnecting (ms). */
  retryMs: number;
  /** Told once when the client is dropped as too slow, with what it left unread (to log it). */
  onDrop?: (drop: { bufferedBytes: number; maxBufferedBytes: number }) => void;
}

/**
 * One client's `text/event-stream` response: unbuffered headers, `retry:`, frames and comments.
 * A client whose unread output passes `maxBufferedBytes` is dropped (the socket is destroyed),
 * so a stalled reader never holds memory without bound; it resumes with Last-Event-ID.
 */
export class SseStream {
  #closed = false;

  constructor(
    private readonly res: Response,
    private readonly limits: SseStreamLimits,
  ) {}

  /** Sends the headers at once (no proxy or compression buffering) and the retry interval. */
  open(): void {
    this.res.status(200);
    this.res.set({
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache, no-transform",
      Connection: "keep-alive",
      "X-Accel-Buffering": "no",
    });
    this.res.flushHeaders();
    // Events are small and latency matters more than packet count.
    this.res.socket?.setNoDelay(true);
    this.#write(`retry: ${this.limits.retryMs}\n\n`);
  }

  /** True once the response ended, by either side. */
  get closed(): boolean {
    return this.#closed || this.res.destroyed || this.res.writableEnded;
  }

  /** Bytes written that the client has not taken yet. */
  get bufferedBytes(): number {
    return this.res.writableLength;
  }

  /** Writes an event frame (or drops the client when it is too far behind); false when closed. */
  send(frame: string): boolean {
    return this.#write(frame);
  }

  /** Writes an SSE comment (ignored by clients; heartbeats and notes). */
  comment(text: string): boolean {
    return this.#write(`: ${text.replace(/\n/g, " ")}\n\n`);
  }

  /** Resolves once the client took what was written (or the response closed). */
  async drained(): Promise<void> {
    if (this.closed || !this.res.writableNeedDrain) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        this.res.off("drain", done);
        this.res.off("close", done);
        resolve();
      };
      this.res.on("drain", done);
      this.res.on("close", done);
    });
  }

  /** Ends the response (shutdown, or the client was dropped). */
  close(): void {
    if (this.closed) return;
    this.#closed = true;
    this.res.end();
  }

  #write(text: string): boolean {
    if (this.closed) return false;
    if (this.res.writableLength > this.limits.maxBufferedBytes) {
      // Too slow: drop it rather than queue without bound. destroy(), not end(): end() would wait
      // behind the very backlog we are refusing to keep.
      this.#closed = true;
      const bufferedBytes = this.res.writableLength;
      this.res.destroy();
      this.limits.onDrop?.({ bufferedBytes, maxBufferedBytes: this.limits.maxBufferedBytes });
      return false;
    }
    this.res.write(text);
    return true;
  }
}
