import { waitFor } from "@charthouse/testing";

/** One SSE event as a client parses it. */
export interface ReceivedEvent {
  id: string | undefined;
  event: string;
  data: Record<string, unknown>;
}

/** A connected /events client for tests: what it received so far, read as a browser would (fetch). */
export interface EventStreamClient {
  response: Response;
  events: ReceivedEvent[];
  comments: string[];
  /** The last `id:` seen, as EventSource keeps it for Last-Event-ID. */
  lastEventId(): string | undefined;
  /** Waits (with a deadline) until an event matches, and returns it. */
  next(what: string, match: (e: ReceivedEvent) => boolean, timeoutMs?: number): Promise<ReceivedEvent>;
  /** True once the server ended the stream. */
  ended(): boolean;
  close(): void;
}

/** Opens GET /events with a bearer token (and Last-Event-ID) and parses it in the background. */
export async function openEventStream(url: string, options: { token: string; lastEventId?: string }): Promise<EventStreamClient> {
  const abort = new AbortController();
  const headers: Record<string, string> = { authorization: `Bearer ${options.token}`, accept: "text/event-stream" };
  if (options.lastEventId !== undefined) headers["last-event-id"] = options.lastEventId;
  const response = await fetch(url, { headers, signal: abort.signal });
  const events: ReceivedEvent[] = [];
  const comments: string[] = [];
  let lastId: string | undefined;
  let done = false;
  if (response.ok && response.body) {
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    void (async () => {
      let buffer = "";
      try {
        for (;;) {
          const { value, done: finished } = await reader.read();
          if (finished) break;
          buffer += value;
          let end: number;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const fields = { id: undefined as string | undefined, event: "message", data: [] as string[] };
            for (const line of block.split("\n")) {
              if (line.startsWith(":")) comments.push(line.slice(1).trim());
              else if (line.startsWith("id: ")) fields.id = line.slice(4);
              else if (line.startsWith("event: ")) fields.event = line.slice(7);
              else if (line.startsWith("data: ")) fields.data.push(line.slice(6));
            }
            if (fields.id !== undefined) lastId = fields.id;
            if (fields.data.length > 0) {
              events.push({ id: fields.id, event: fields.event, data: JSON.parse(fields.data.join("\n")) as Record<string, unknown> });
            }
          }
        }
      } catch {
        // Aborted by close().
      } finally {
        done = true;
      }
    })();
  } else {
    done = true;
  }
  return {
    response,
    events,
    comments,
    lastEventId: () => lastId,
    next: async (what, match, timeoutMs = 10_000) =>
      await waitFor(() => Promise.resolve(events.find(match) ?? false), { what, timeoutMs, intervalMs: 20 }),
    ended: () => done,
    close: () => abort.abort(),
  };
}
