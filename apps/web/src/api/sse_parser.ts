/** One Server-Sent Event as dispatched by {@link SseParser}. */
export interface SseEvent {
  /** The `event:` field; "message" when the event had none. */
  type: string;
  data: string;
  /** The last event id seen so far (ids persist across events, as in EventSource). */
  lastEventId: string;
}

/**
 * An incremental parser of the text/event-stream format (WHATWG HTML, "Server-sent events"):
 * feed it decoded chunks as they arrive, split anywhere; it calls `onEvent` per complete event
 * and `onRetry` when the server sets the reconnection delay.
 */
export class SseParser {
  #buffer = "";
  #type = "";
  #data: string[] = [];
  #hasData = false;
  #lastEventId = "";
  #bomChecked = false;
  readonly #onEvent: (event: SseEvent) => void;
  readonly #onRetry: (ms: number) => void;

  constructor(onEvent: (event: SseEvent) => void, onRetry: (ms: number) => void = () => undefined) {
    this.#onEvent = onEvent;
    this.#onRetry = onRetry;
  }

  /** The id of the last event, to send back as Last-Event-ID when reconnecting. */
  get lastEventId(): string {
    return this.#lastEventId;
  }

  /** Sets the id to resume from (a reconnect keeps the id of the previous connection). */
  set lastEventId(id: string) {
    this.#lastEventId = id;
  }

  /** Parses the next chunk of the stream. */
  push(chunk: string): void {
    let text = this.#buffer + chunk;
    if (!this.#bomChecked && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      this.#bomChecked = true;
    }
    let start = 0;
    for (;;) {
      const cr = text.indexOf("\r", start);
      const lf = text.indexOf("\n", start);
      if (cr === -1 && lf === -1) break;
      let end: number;
      let next: number;
      if (cr !== -1 && (lf === -1 || cr < lf)) {
        // A lone CR at the very end may be the first half of CRLF: wait for the next chunk.
        if (cr === text.length - 1) break;
        end = cr;
        next = text[cr + 1] === "\n" ? cr + 2 : cr + 1;
      } else {
        end = lf;
        next = lf + 1;
      }
      this.#line(text.slice(start, end));
      start = next;
    }
    this.#buffer = text.slice(start);
  }

  /** Forgets a partly received event (the connection ended mid-event). */
  reset(): void {
    this.#buffer = "";
    this.#type = "";
    this.#data = [];
    this.#hasData = false;
  }

  #line(line: string): void {
    if (line === "") {
      this.#dispatch();
      return;
    }
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    switch (field) {
      case "event":
        this.#type = value;
        break;
      case "data":
        this.#data.push(value);
        this.#hasData = true;
        break;
      case "id":
        if (!value.includes("\0")) this.#lastEventId = value;
        break;
      case "retry":
        if (/^\d+$/.test(value)) this.#onRetry(Number(value));
        break;
      default:
        break;
    }
  }

  #dispatch(): void {
    const type = this.#type === "" ? "message" : this.#type;
    const hasData = this.#hasData;
    const data = this.#data.join("\n");
    this.#type = "";
    this.#data = [];
    this.#hasData = false;
    if (!hasData) return;
    this.#onEvent({ type, data, lastEventId: this.#lastEventId });
  }
}
