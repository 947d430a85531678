import { AckPolicy, DeliverPolicy, nanos, type JetStreamClient, type JetStreamManager, type NatsConnection } from "nats";
import { streams } from "@charthouse/contracts";
import { InputError, UnavailableError } from "@charthouse/errors";
import { deadLetterSubjectPrefix, parseDeadLetter, type DeadLetter } from "./dead_letter_record.ts";

/** The most dead letters one page holds, and one fetch from the stream reads. */
export const deadLetterPageMax = 500;

/** A page of dead letters in stream order, and where the next one starts (null: the stream's end). */
export interface DeadLetterPage {
  items: DeadLetter[];
  /** The sequence after which the next page starts; null when the whole stream was read. */
  nextAfter: number | null;
}

/** What a page reads. */
export interface DeadLetterPageRequest {
  /** Only dead letters after this sequence (0: from the start). */
  after: number;
  /** 1..500. */
  limit: number;
  /** Only dead letters of this original subject (filtered by the server). */
  subject?: string;
  /** Only dead letters this keeps (filtered here, page by page). */
  match?: (deadLetter: DeadLetter) => boolean;
  /**
   * The most stream messages read for one page before it is answered with what matched so far
   * and a cursor (so a rare filter over a long stream answers in bounded time). Default 5,000.
   */
  scanLimit?: number;
}

/** What every dead-letter reader offers: a page, one by its sequence, counts by subject. */
export interface DeadLetterReader {
  page(request: DeadLetterPageRequest): Promise<DeadLetterPage>;
  get(seq: number): Promise<DeadLetter | null>;
  /** The messages the stream holds now, by original subject. */
  countBySubject(): Promise<Map<string, number>>;
}

const subjectPattern = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

/** True when a string can be a message subject to filter on (no wildcards, spaces or empty tokens). */
export function isPlainSubject(subject: string): boolean {
  return subject.length <= 200 && subjectPattern.test(subject);
}

/**
 * The CHARTHOUSE_DEAD_LETTERS stream as an operator sees it: pages read with a short-lived
 * consumer (no acks, in memory, removed after the page), never more than 500 messages in
 * memory at once; one dead letter by its sequence; counts by subject from the stream's own
 * state; and removal of a dead letter once it was replayed.
 */
export class DeadLetterStream implements DeadLetterReader {
  readonly #js: JetStreamClient;
  readonly #jsm: JetStreamManager;
  readonly #stream: string;

  private constructor(js: JetStreamClient, jsm: JetStreamManager, stream: string) {
    this.#js = js;
    this.#jsm = jsm;
    this.#stream = stream;
  }

  /**
   * Opens the dead-letter stream (provisioned with every stream at start) of a connection; each
   * JetStream request gives up after `timeoutMs` (default 5 s), so a scrape or a page never hangs.
   */
  static async open(nats: NatsConnection, options: { stream?: string; timeoutMs?: number } = {}): Promise<DeadLetterStream> {
    const timeout = options.timeoutMs ?? 5_000;
    return new DeadLetterStream(nats.jetstream({ timeout }), await nats.jetstreamManager({ timeout }), options.stream ?? streams.DEAD_LETTERS.name);
  }

  async page(request: DeadLetterPageRequest): Promise<DeadLetterPage> {
    if (request.subject !== undefined && !isPlainSubject(request.subject)) {
      throw new InputError(`subject must be a message subject such as chart.download.requested.v1, got "${request.subject}"`, {
        fields: [{ field: "subject", message: "must be a message subject without wildcards" }],
      });
    }
    const limit = Math.max(1, Math.min(deadLetterPageMax, request.limit));
    const scanLimit = Math.max(limit, request.scanLimit ?? 5_000);
    const filter = `${deadLetterSubjectPrefix}${request.subject ?? ">"}`;
    const created = await this.#unavailable("read", () =>
      this.#jsm.consumers.add(this.#stream, {
        ack_policy: AckPolicy.None,
        deliver_policy: DeliverPolicy.StartSequence,
        opt_start_seq: request.after + 1,
        filter_subject: filter,
        mem_storage: true,
        // Removed by the server if this process dies before it deletes it.
        inactive_threshold: nanos(30_000),
      }),
    );
    try {
      const items: DeadLetter[] = [];
      // What the consumer counted when it was made.
      const total = created.num_pending;
      let scanned = 0;
      let lastSeq = request.after;
      let ended = false;
      const consumer = await this.#js.consumers.get(this.#stream, created.name);
      while (!ended && scanned < total && items.length < limit && scanned < scanLimit) {
        // Without a filter of our own, read no further than the page needs.
        const wanted = request.match === undefined ? limit - items.length : deadLetterPageMax;
        const batch = Math.min(deadLetterPageMax, wanted, total - scanned, scanLimit - scanned);
        const messages = await this.#unavailable("read", () => consumer.fetch({ max_messages: batch, expires: 2_000 }));
        let received = 0;
        // The whole batch is read (a fetch ends when its last message arrives); what follows a full page is left for the next.
        for await (const msg of messages) {
          received++;
          if (items.length === limit) continue;
          scanned++;
          lastSeq = msg.seq;
          const deadLetter = parseDeadLetter({
            seq: msg.seq,
            subject: msg.subject,
            text: msg.string(),
            receivedAt: new Date(Math.floor(msg.info.timestampNanos / 1e6)),
          });
          if (request.match?.(deadLetter) ?? true) items.push(deadLetter);
        }
        // Fewer than asked without a full page: the rest was removed meanwhile (another replay).
        if (received < batch && items.length < limit) ended = true;
      }
      // Unread messages remain (a full page, or the scan limit): the next page starts after the last one read.
      return { items, nextAfter: !ended && scanned < total ? lastSeq : null };
    } finally {
      await this.#jsm.consumers.delete(this.#stream, created.name).catch(() => undefined);
    }
  }

  async get(seq: number): Promise<DeadLetter | null> {
    if (!Number.isSafeInteger(seq) || seq < 1) return null;
    let stored;
    try {
      stored = await this.#jsm.streams.getMessage(this.#stream, { seq });
    } catch (err) {
      if (isNoMessage(err)) return null;
      throw new UnavailableError(`Cannot read dead letter ${seq} from ${this.#stream}`, { code: "unavailable", cause: err });
    }
    if (!stored.subject.startsWith(deadLetterSubjectPrefix)) return null;
    return parseDeadLetter({ seq: stored.seq, subject: stored.subject, text: stored.string(), receivedAt: stored.time });
  }

  async countBySubject(): Promise<Map<string, number>> {
    const info = await this.#unavailable("count", () =>
      this.#jsm.streams.info(this.#stream, { subjects_filter: `${deadLetterSubjectPrefix}>` }),
    );
    const counts = new Map<string, number>();
    for (const [subject, count] of Object.entries(info.state.subjects ?? {})) {
      counts.set(subject.slice(deadLetterSubjectPrefix.length), count);
    }
    return counts;
  }

  /** Removes a dead letter (it was replayed, or there is nothing left to replay); false when it was already gone. */
  async remove(seq: number): Promise<boolean> {
    try {
      return await this.#jsm.streams.deleteMessage(this.#stream, seq, false);
    } catch (err) {
      if (isNoMessage(err)) return false;
      throw new UnavailableError(`Cannot remove dead letter ${seq} from ${this.#stream}`, { code: "unavailable", cause: err });
    }
  }

  async #unavailable<T>(what: "read" | "count", fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw new UnavailableError(`Cannot ${what} the dead letters of ${this.#stream}`, { code: "unavailable", cause: err });
    }
  }
}

function isNoMessage(err: unknown): boolean {
  return /no message found|not found/i.test(String((err as { message?: unknown }).message ?? err));
}
