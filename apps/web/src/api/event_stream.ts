import { apiBase } from "./api_client.ts";
import { SseParser } from "./sse_parser.ts";

/** The event types of GET /api/v1/events. */
export const liveEventTypes = [
  "registry.sync.started",
  "registry.sync.finished",
  "chart.version.discovered",
  "chart.version.ready",
  "chart.version.failed",
  "chart.version.removed",
] as const;

/** The event that says events were missed while disconnected (too old to resume). */
const resetEventType = "stream.reset";

/** One of the event types of GET /api/v1/events. */
export type LiveEventType = (typeof liveEventTypes)[number];

/** An event of the organisation: its type and its snake_case JSON payload. */
export interface LiveEvent {
  type: LiveEventType;
  payload: Record<string, unknown>;
}

/**
 * Where the stream stands: `live` while connected, `connecting` between attempts, `unavailable`
 * when the API has no event endpoint (404/405/501), `closed` after stop() or a 401.
 */
export type EventStreamState = "connecting" | "live" | "unavailable" | "closed";

/** Options of {@link openEventStream}. */
export interface EventStreamOptions {
  token: string;
  onEvent(event: LiveEvent): void;
  onState(state: EventStreamState): void;
  /** Called when the API cannot resume from Last-Event-ID (`stream.reset`): reload everything shown. */
  onReset?(): void;
  /** Called on a 401: the token no longer works. */
  onUnauthorized?(): void;
  /** Delays in ms (tests shorten them). */
  delays?: { initial: number; max: number; unavailable: number };
}

/** A running event stream; stop() ends it for good. */
export interface EventStream {
  stop(): void;
}

/**
 * Reads GET /api/v1/events with fetch() so the token travels in the Authorization header (an
 * EventSource could only put it in the URL), and reconnects with Last-Event-ID after a drop,
 * backing off from `initial` to `max`; the server's `retry:` replaces the initial delay.
 */
export function openEventStream(options: EventStreamOptions): EventStream {
  const delays = options.delays ?? { initial: 1_000, max: 30_000, unavailable: 60_000 };
  let stopped = false;
  let controller: AbortController | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let baseDelay = delays.initial;
  let failures = 0;
  const parser = new SseParser(
    (event) => {
      if (event.type === resetEventType) {
        options.onReset?.();
        return;
      }
      if (!isLiveEventType(event.type)) return;
      const payload = parsePayload(event.data);
      if (payload !== null) options.onEvent({ type: event.type, payload });
    },
    (ms) => {
      baseDelay = ms;
    },
  );

  const schedule = (ms: number, state: EventStreamState): void => {
    if (stopped) return;
    options.onState(state);
    timer = setTimeout(() => void connect(), ms);
  };

  const connect = async (): Promise<void> => {
    timer = null;
    if (stopped) return;
    controller = new AbortController();
    const headers: Record<string, string> = { authorization: `Bearer ${options.token}`, accept: "text/event-stream" };
    if (parser.lastEventId !== "") headers["last-event-id"] = parser.lastEventId;
    try {
      const response = await fetch(`${apiBase}/events`, { headers, signal: controller.signal, credentials: "omit" });
      if (response.status === 401) {
        stopped = true;
        options.onState("closed");
        options.onUnauthorized?.();
        return;
      }
      if (response.status === 404 || response.status === 405 || response.status === 501) {
        schedule(delays.unavailable, "unavailable");
        return;
      }
      const type = response.headers.get("content-type") ?? "";
      if (!response.ok || response.body === null || !type.startsWith("text/event-stream")) {
        throw new Error(`GET ${apiBase}/events answered ${response.status} ${type}`);
      }
      options.onState("live");
      failures = 0;
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parser.push(decoder.decode(value, { stream: true }));
      }
      parser.reset();
      schedule(baseDelay, "connecting");
    } catch {
      parser.reset();
      if (stopped) return;
      failures += 1;
      schedule(Math.min(delays.max, baseDelay * 2 ** Math.min(failures - 1, 6)), "connecting");
    }
  };

  options.onState("connecting");
  void connect();
  return {
    stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      controller?.abort();
      options.onState("closed");
    },
  };
}

function isLiveEventType(type: string): type is LiveEventType {
  return (liveEventTypes as readonly string[]).includes(type);
}

function parsePayload(data: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(data);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
