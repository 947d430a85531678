import { Slots } from "@charthouse/concurrency";
import { liveEvents, streams, validatePayload, type Contract } from "@charthouse/contracts";
import type { Logger } from "@charthouse/logging";
import type { JetStreamClient, JetStreamManager, NatsConnection } from "@charthouse/messaging";
import { DeliverPolicy, type ConsumerMessages, type JsMsg } from "nats";
import type { z } from "zod";
import { sseEventName, sseFramesOf, type FeedEvent, type LiveEventPayload } from "./events_sse.ts";

/** Limits of the feed; the defaults suit one API process. */
export interface EventFeedLimits {
  /** Clients connected to this process at once. */
  maxClients: number;
  /** Most stream sequences one Last-Event-ID replays; further back starts from now. */
  replayLimit: number;
  /** Live events held for one client while its replay runs; past it the client is dropped. */
  maxPendingEvents: number;
  /** Longest one replay may take before it gives up and starts from now. */
  replayTimeoutMs: number;
  /** Replays running at once (a reconnect storm after a restart must not flood NATS). */
  concurrentReplays: number;
}

/** Why a Last-Event-ID could not be resumed exactly. */
export interface ResumeGap {
  reason: "too_old" | "unknown_event_id" | "replay_incomplete";
  lastEventId: string;
  /** Where the stream now stands: the client carries on from here (the notice's SSE id). */
  seq: number;
  detail: string;
}

/** Something else of the process that follows the live events (not the replays), in stream order. */
export interface EventObserver {
  /** Takes each live event once; must not throw or block. */
  event(event: FeedEvent): void;
  /** The feed closed: no event follows. */
  close(): void;
}

/** One connected client, as the feed sees it. */
export interface EventSubscriber {
  organizationId: string;
  /** Takes one of its organisation's events, in stream order, each once. */
  deliver(event: FeedEvent): void;
  /** Replay waits on this between events, so a slow reader paces it instead of filling memory. */
  drained(): Promise<void>;
  /** Its Last-Event-ID cannot be resumed exactly; events from `gap.seq` on follow. */
  resumeGap(gap: ResumeGap): void;
  /** The feed drops it (its backlog overflowed during replay, or the feed closed). */
  close(): void;
}

interface Subscription {
  subscriber: EventSubscriber;
  /** Live events held while the replay runs; null once live. */
  pending: FeedEvent[] | null;
  /** The highest sequence already accounted for: later live events only. */
  through: number;
  cancelled: boolean;
}

const defaultLimits: EventFeedLimits = {
  maxClients: 1_000,
  replayLimit: 10_000,
  maxPendingEvents: 10_000,
  replayTimeoutMs: 30_000,
  concurrentReplays: 4,
};

// The events share no one schema type; each is validated by its own contract and read as the union.
const contractsBySubject = new Map(
  liveEvents.map((c) => [c.subject, c as unknown as Contract<z.ZodType<LiveEventPayload>>]),
);
const decoder = new TextDecoder();

/**
 * The API process's one view of the EVENTS stream for Server-Sent Events: a single JetStream
 * ordered consumer (from "now") shared by every connected client, each event decoded, validated
 * and formatted once, then handed to the clients of its organisation. A client resuming with
 * Last-Event-ID gets a bounded replay from a short-lived ordered consumer, then joins the live
 * feed without a gap or a duplicate (live events are held meanwhile and deduplicated by sequence).
 */
export class EventFeed {
  readonly #byOrganization = new Map<string, Set<Subscription>>();
  readonly #observers: EventObserver[] = [];
  readonly #limits: EventFeedLimits;
  /** Replays running at once (concurrentReplays); each reads the stream through its own consumer. */
  readonly #replays: Slots;
  #size = 0;
  #lastSeq = 0;
  #messages: ConsumerMessages | null = null;
  #closing = false;
  #loop: Promise<void> = Promise.resolve();

  private constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly log: Logger,
    limits: Partial<EventFeedLimits>,
  ) {
    this.#limits = { ...defaultLimits, ...limits };
    this.#replays = new Slots(this.#limits.concurrentReplays);
  }

  /** Starts the shared consumer; events published after this resolves reach the clients. */
  static async start(nats: NatsConnection, options: { log: Logger; limits?: Partial<EventFeedLimits> }): Promise<EventFeed> {
    const feed = new EventFeed(nats.jetstream(), await nats.jetstreamManager(), options.log, options.limits ?? {});
    await feed.#follow();
    return feed;
  }

  /** Clients connected now. */
  get size(): number {
    return this.#size;
  }

  /** True when no further client may connect to this process. */
  get full(): boolean {
    return this.#size >= this.#limits.maxClients;
  }

  /**
   * Adds a client: live from now, or first the events after `lastEventId` (bounded replay).
   * Returns the function that removes it (call it when the client disconnects).
   */
  subscribe(subscriber: EventSubscriber, options: { lastEventId?: string } = {}): () => void {
    const subscription: Subscription = {
      subscriber,
      pending: options.lastEventId === undefined ? null : [],
      through: 0,
      cancelled: false,
    };
    let group = this.#byOrganization.get(subscriber.organizationId);
    if (!group) this.#byOrganization.set(subscriber.organizationId, (group = new Set()));
    group.add(subscription);
    this.#size++;
    if (options.lastEventId !== undefined) {
      this.#resume(subscription, options.lastEventId).catch((err: unknown) => {
        this.log.error({ err }, "Cannot resume an events client; dropping it");
        this.#remove(subscription);
        subscriber.close();
      });
    }
    return () => this.#remove(subscription);
  }

  /** Stops the shared consumer and drops every client. */
  /** Hands every live event from now on to `observer` too, until the feed closes. */
  observe(observer: EventObserver): void {
    this.#observers.push(observer);
  }

  async close(): Promise<void> {
    this.#closing = true;
    this.#messages?.stop();
    for (const observer of this.#observers.splice(0)) observer.close();
    for (const group of [...this.#byOrganization.values()]) {
      for (const subscription of [...group]) {
        this.#remove(subscription);
        subscription.subscriber.close();
      }
    }
    await this.#loop;
  }

  #remove(subscription: Subscription): void {
    if (subscription.cancelled) return;
    subscription.cancelled = true;
    const organizationId = subscription.subscriber.organizationId;
    const group = this.#byOrganization.get(organizationId);
    if (group?.delete(subscription)) {
      this.#size--;
      if (group.size === 0) this.#byOrganization.delete(organizationId);
    }
  }

  /** Creates the shared ordered consumer and runs its loop, resuming after the last seen event if it ends. */
  async #follow(): Promise<void> {
    const start =
      this.#lastSeq === 0
        ? { deliver_policy: DeliverPolicy.New }
        : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: this.#lastSeq + 1 };
    const consumer = await this.js.consumers.get(streams.EVENTS.name, start);
    const messages = await consumer.consume();
    this.#messages = messages;
    this.#loop = (async () => {
      try {
        for await (const msg of messages) {
          this.#lastSeq = msg.seq;
          const event = this.#decode(msg);
          if (event) {
            this.#publish(event);
            for (const observer of this.#observers) observer.event(event);
          }
        }
      } catch (err) {
        this.log.warn({ err }, "The shared events consumer failed");
      }
      if (this.#closing) return;
      // The ordered consumer recreates itself across reconnects; ending means the connection
      // closed under us. Try again shortly rather than leave every client without events.
      this.log.warn({ lastSeq: this.#lastSeq }, "The shared events consumer ended; following again");
      setTimeout(() => {
        if (!this.#closing) this.#follow().catch((err: unknown) => this.log.error({ err }, "Cannot follow the events stream"));
      }, 1_000).unref();
    })();
  }

  #publish(event: FeedEvent): void {
    const group = this.#byOrganization.get(event.organizationId);
    if (!group) return;
    for (const subscription of [...group]) {
      if (subscription.pending !== null) {
        if (subscription.pending.length >= this.#limits.maxPendingEvents) {
          this.log.info({ organizationId: event.organizationId }, "Dropped an events client: too many events while it replayed");
          this.#remove(subscription);
          subscription.subscriber.close();
        } else {
          subscription.pending.push(event);
        }
      } else if (event.seq > subscription.through) {
        subscription.through = event.seq;
        subscription.subscriber.deliver(event);
      }
    }
  }

  /** The event of a stream message, or null (logged) when it is not a valid known event. */
  #decode(msg: JsMsg): FeedEvent | null {
    const contract = contractsBySubject.get(msg.subject);
    if (!contract) return null;
    try {
      const payload = validatePayload(contract, JSON.parse(decoder.decode(msg.data)));
      const name = sseEventName(msg.subject);
      let frames: string | undefined;
      return {
        seq: msg.seq,
        name,
        organizationId: payload.organizationId,
        registryId: payload.registryId,
        ...("outcome" in payload ? { outcome: payload.outcome } : {}),
        // Formatted when first sent: most events of a fleet reach no client at all.
        get frames() {
          return (frames ??= sseFramesOf(name, msg.seq, payload));
        },
      };
    } catch (err) {
      this.log.warn({ err, subject: msg.subject, seq: msg.seq }, "Skipped an invalid event");
      return null;
    }
  }

  /** Replays what the client missed after `lastEventId`, then lets it go live. */
  async #resume(subscription: Subscription, lastEventId: string): Promise<void> {
    const release = await this.#replays.take();
    let through: number;
    try {
      through = await this.#replay(subscription, lastEventId);
    } catch (err) {
      this.log.warn({ err, lastEventId }, "Cannot replay events");
      through = this.#lastSeq;
      subscription.subscriber.resumeGap({
        reason: "replay_incomplete",
        lastEventId,
        seq: through,
        detail: "The events after Last-Event-ID could not be read; streaming from now",
      });
    } finally {
      release();
    }
    if (subscription.cancelled) return;
    const held = subscription.pending ?? [];
    subscription.pending = null;
    subscription.through = through;
    for (const event of held) {
      if (event.seq > subscription.through) {
        subscription.through = event.seq;
        subscription.subscriber.deliver(event);
      }
    }
  }

  /** Delivers the organisation's events after `lastEventId`; returns the sequence it accounted for. */
  async #replay(subscription: Subscription, lastEventId: string): Promise<number> {
    const { subscriber } = subscription;
    const state = (await this.jsm.streams.info(streams.EVENTS.name)).state;
    const lastSeq = state.last_seq;
    const gap = (reason: ResumeGap["reason"], detail: string): number => {
      subscriber.resumeGap({ reason, lastEventId, seq: lastSeq, detail });
      return lastSeq;
    };
    if (!/^\d{1,15}$/.test(lastEventId) || Number(lastEventId) > lastSeq) {
      return gap("unknown_event_id", `Last-Event-ID ${JSON.stringify(lastEventId)} is not an event of this stream; streaming from now`);
    }
    const after = Number(lastEventId);
    if (after >= lastSeq) return after;
    if (after + 1 < state.first_seq || lastSeq - after > this.#limits.replayLimit) {
      return gap(
        "too_old",
        `Last-Event-ID ${after} is too old to resume (${lastSeq - after} events since, at most ${this.#limits.replayLimit} are replayed; the oldest kept is ${state.first_seq}); streaming from now`,
      );
    }

    const consumer = await this.js.consumers.get(streams.EVENTS.name, {
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: after + 1,
    });
    const messages = await consumer.consume({ max_messages: Math.min(512, lastSeq - after) });
    const timer = setTimeout(() => messages.stop(), this.#limits.replayTimeoutMs);
    let through = after;
    try {
      for await (const msg of messages) {
        if (subscription.cancelled) break;
        through = msg.seq;
        const event = this.#decode(msg);
        if (event && event.organizationId === subscriber.organizationId) {
          subscriber.deliver(event);
          await subscriber.drained();
        }
        if (msg.seq >= lastSeq) break;
      }
    } finally {
      clearTimeout(timer);
      messages.stop();
      await consumer.delete().catch(() => undefined);
    }
    if (through < lastSeq && !subscription.cancelled) {
      return gap("replay_incomplete", `Replayed events up to ${through} of ${lastSeq} in time; streaming from now`);
    }
    return through;
  }
}
