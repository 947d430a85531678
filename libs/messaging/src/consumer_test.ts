import { defineContract } from "@charthouse/contracts";
import { DeferredError, InputError, UpstreamError } from "@charthouse/errors";
import { createLogger } from "@charthouse/logging";
import type { JetStreamClient, JsMsg } from "nats";
import { metricSample, waitFor } from "@charthouse/testing";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { runConsumer, type MessageHandler } from "./consumer.ts";

const contract = defineContract({
  subject: "test.work.v1",
  stream: "TEST",
  schema: z.object({ id: z.string() }),
  messageId: (p) => p.id,
});

/** What the loop did with one fake delivery. */
interface Settled {
  outcome: "ack" | "nak" | "term";
  delayMs?: number | undefined;
}

/** A delivery of `payload`, first published `ageMs` ago, delivered for the `attempt`th time. */
function fakeMessage(
  payload: unknown,
  options: { attempt?: number; ageMs?: number; msgId?: string } = {},
): { msg: JsMsg; settled: Promise<Settled> } {
  let settle: (s: Settled) => void = () => undefined;
  const settled = new Promise<Settled>((resolve) => (settle = resolve));
  const body = JSON.stringify(payload);
  const msg = {
    subject: contract.subject,
    seq: 1,
    headers: options.msgId === undefined ? undefined : { get: (name: string) => (name === "Nats-Msg-Id" ? options.msgId : "") },
    info: {
      stream: "TEST",
      redeliveryCount: options.attempt ?? 1,
      timestampNanos: (Date.now() - (options.ageMs ?? 0)) * 1e6,
    },
    json: () => JSON.parse(body) as unknown,
    string: () => body,
    ack: () => settle({ outcome: "ack" }),
    nak: (delayMs?: number) => settle({ outcome: "nak", delayMs }),
    term: () => settle({ outcome: "term" }),
    working: () => undefined,
  };
  return { msg: msg as unknown as JsMsg, settled };
}

/** A dead letter as the fake JetStream received it. */
interface DeadLetterSent {
  subject: string;
  msgId: string;
  record: Record<string, unknown>;
}

/** A JetStream client whose consumer hands out `messages` and that records dead letters (or refuses them). */
function fakeJetStream(messages: JsMsg[], options: { refuseDeadLetters?: boolean } = {}): { js: JetStreamClient; deadLetters: DeadLetterSent[] } {
  const deadLetters: DeadLetterSent[] = [];
  const js = {
    consumers: {
      get: () =>
        Promise.resolve({
          consume: () =>
            Promise.resolve({
              async *[Symbol.asyncIterator]() {
                yield* messages;
                await new Promise(() => undefined);
              },
              close: () => Promise.resolve(),
            }),
        }),
    },
    publish: (subject: string, data: Uint8Array, publishOptions: { msgID: string }) => {
      if (options.refuseDeadLetters) return Promise.reject(new Error("no responders"));
      deadLetters.push({ subject, msgId: publishOptions.msgID, record: JSON.parse(new TextDecoder().decode(data)) as Record<string, unknown> });
      return Promise.resolve({ seq: deadLetters.length, duplicate: false, stream: "CHARTHOUSE_DEAD_LETTERS" });
    },
  };
  return { js: js as unknown as JetStreamClient, deadLetters };
}

/** Runs one delivery through the loop with `handler`; returns what became of it. */
async function deliver(
  handler: Partial<MessageHandler<typeof contract.schema>> & Pick<MessageHandler<typeof contract.schema>, "handle">,
  message: { msg: JsMsg; settled: Promise<Settled> },
  options: { withoutHooks?: boolean; refuseDeadLetters?: boolean; metrics?: Registry } = {},
) {
  const { js, deadLetters } = fakeJetStream([message.msg], options);
  const calls: string[] = [];
  const hooks: Partial<MessageHandler<typeof contract.schema>> = options.withoutHooks
    ? {}
    : {
        onRetry: () => {
          calls.push("onRetry");
          return Promise.resolve();
        },
        onGiveUp: () => {
          calls.push("onGiveUp");
          return Promise.resolve();
        },
      };
  const consumer = await runConsumer(
    js,
    { contract, ...hooks, ...handler },
    {
      stream: "TEST",
      durable: "test",
      concurrency: 1,
      giveUpAfterMs: 60_000,
      log: createLogger("test", { level: "silent" }),
      ...(options.metrics ? { metrics: options.metrics } : {}),
    },
  );
  const settled = await message.settled;
  void consumer.stop();
  return { settled, calls, deadLetters };
}

describe("runConsumer()", () => {
  it("acks a delivery once its handler resolves", async () => {
    const { settled, calls } = await deliver({ handle: () => Promise.resolve() }, fakeMessage({ id: "a" }));
    expect(settled.outcome).toBe("ack");
    expect(calls).toEqual([]);
  });

  it("naks a passing failure with backoff, at least the registry's Retry-After, and records the attempt", async () => {
    const failure = new UpstreamError("registry_error", "503 from the registry", { status: 503, retryAfterMs: 7_000 });
    const { settled, calls } = await deliver({ handle: () => Promise.reject(failure) }, fakeMessage({ id: "a" }));
    expect(settled).toEqual({ outcome: "nak", delayMs: 7_000 });
    expect(calls).toEqual(["onRetry"]);
  });

  it("defers work an open circuit refused for the asked time, without spending an attempt", async () => {
    const refused = new DeferredError("circuit open", { retryAfterMs: 2_000 });
    const { settled, calls } = await deliver({ handle: () => Promise.reject(refused) }, fakeMessage({ id: "a" }, { attempt: 40 }));
    expect(settled.outcome).toBe("nak");
    expect(settled.delayMs).toBeGreaterThanOrEqual(2_000);
    expect(settled.delayMs).toBeLessThanOrEqual(3_000);
    expect(calls).toEqual([]);
  });

  it("terminates a permanent failure at once, recorded, without a dead letter", async () => {
    const invalid = new InputError("no Chart.yaml", { code: "invalid_chart" });
    const { settled, calls, deadLetters } = await deliver({ handle: () => Promise.reject(invalid) }, fakeMessage({ id: "a" }));
    expect(settled.outcome).toBe("term");
    expect(calls).toEqual(["onGiveUp"]);
    expect(deadLetters).toEqual([]);
  });

  it("gives up a message that kept failing for longer than the give-up time, and dead-letters it with its story", async () => {
    const failure = new UpstreamError("registry_error", "503 from the registry", { status: 503 });
    const { settled, calls, deadLetters } = await deliver(
      { handle: () => Promise.reject(failure) },
      fakeMessage({ id: "a" }, { attempt: 9, ageMs: 61_000, msgId: "a:work" }),
    );
    expect(settled.outcome).toBe("term");
    expect(calls).toEqual(["onGiveUp"]);
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]?.subject).toBe("deadletter.test.work.v1");
    // One dead letter per message and first publication, however often it is given up.
    expect(deadLetters[0]?.msgId).toMatch(/^deadletter:a:work:\d+$/);
    expect(deadLetters[0]?.record).toMatchObject({
      msgId: "a:work",
      subject: "test.work.v1",
      data: '{"id":"a"}',
      deliveries: 9,
      error: { code: "registry_error", message: "503 from the registry" },
    });
  });

  it("keeps a message whose failure cannot be recorded (Postgres away), to try again", async () => {
    const invalid = new InputError("no Chart.yaml", { code: "invalid_chart" });
    const { settled } = await deliver(
      { handle: () => Promise.reject(invalid), onGiveUp: () => Promise.reject(new Error("Connection terminated")) },
      fakeMessage({ id: "a" }),
    );
    expect(settled.outcome).toBe("nak");
  });

  it("terminates and dead-letters a message that does not match its contract, without running the handler", async () => {
    let handled = false;
    const { settled, calls, deadLetters } = await deliver(
      {
        handle: () => {
          handled = true;
          return Promise.resolve();
        },
      },
      fakeMessage({ nope: 1 }),
    );
    expect(settled.outcome).toBe("term");
    expect(handled).toBe(false);
    expect(calls).toEqual([]);
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]?.record).toMatchObject({ msgId: "TEST:1", error: { code: "invalid_input" } });
  });

  it("retries an error that is not Charthouse's own (a dropped connection) as a passing failure, with backoff", async () => {
    const { settled, calls } = await deliver({ handle: () => Promise.reject(new Error("socket hang up")) }, fakeMessage({ id: "a" }, { attempt: 3 }));
    expect(settled.outcome).toBe("nak");
    // Attempt 3 of the default policy: 4 s, the upper half jittered.
    expect(settled.delayMs).toBeGreaterThanOrEqual(2_000);
    expect(settled.delayMs).toBeLessThanOrEqual(4_000);
    expect(calls).toEqual(["onRetry"]);
  });

  it("still retries a passing failure whose attempt cannot be recorded", async () => {
    const failure = new UpstreamError("registry_error", "503 from the registry", { status: 503 });
    const { settled } = await deliver(
      { handle: () => Promise.reject(failure), onRetry: () => Promise.reject(new Error("Connection terminated")) },
      fakeMessage({ id: "a" }),
    );
    expect(settled.outcome).toBe("nak");
  });

  it("gives up deferred work once past the give-up time, and dead-letters it", async () => {
    const refused = new DeferredError("circuit open", { retryAfterMs: 2_000 });
    const { settled, calls, deadLetters } = await deliver(
      { handle: () => Promise.reject(refused) },
      fakeMessage({ id: "a" }, { attempt: 200, ageMs: 61_000 }),
    );
    expect(settled.outcome).toBe("term");
    expect(calls).toEqual(["onGiveUp"]);
    expect(deadLetters).toHaveLength(1);
  });

  it("terminates a message given up even when the dead-letter stream refuses it", async () => {
    const failure = new UpstreamError("registry_error", "503 from the registry", { status: 503 });
    const { settled, calls } = await deliver({ handle: () => Promise.reject(failure) }, fakeMessage({ id: "a" }, { ageMs: 61_000 }), {
      refuseDeadLetters: true,
    });
    expect(settled.outcome).toBe("term");
    expect(calls).toEqual(["onGiveUp"]);
  });

  it("maps outcomes the same for a handler with no retry or give-up hooks", async () => {
    const invalid = new InputError("no Chart.yaml", { code: "invalid_chart" });
    const failure = new UpstreamError("registry_error", "503 from the registry", { status: 503 });
    const permanent = await deliver({ handle: () => Promise.reject(invalid) }, fakeMessage({ id: "a" }), { withoutHooks: true });
    const passing = await deliver({ handle: () => Promise.reject(failure) }, fakeMessage({ id: "b" }), { withoutHooks: true });
    expect(permanent.settled.outcome).toBe("term");
    expect(passing.settled.outcome).toBe("nak");
  });

  it("counts each delivery by subject and outcome, and times it", async () => {
    const outcomes = [
      { handle: () => Promise.resolve(), payload: { id: "a" }, outcome: "ack" },
      { handle: () => Promise.reject(new Error("socket hang up")), payload: { id: "b" }, outcome: "retry" },
      { handle: () => Promise.reject(new DeferredError("busy", { retryAfterMs: 100 })), payload: { id: "c" }, outcome: "deferred" },
      { handle: () => Promise.reject(new InputError("bad", { code: "invalid_chart" })), payload: { id: "d" }, outcome: "term" },
      { handle: () => Promise.resolve(), payload: { nope: 1 }, outcome: "invalid" },
    ];
    for (const { handle, payload, outcome } of outcomes) {
      const metrics = new Registry();
      await deliver({ handle }, fakeMessage(payload), { metrics });
      const counted = await waitFor(
        async () => metricSample(await metrics.metrics(), "charthouse_messages_total", { subject: "test.work.v1", outcome }),
        { what: `a ${outcome} counted`, timeoutMs: 2_000, intervalMs: 5 },
      );
      expect(counted, outcome).toBe(1);
      expect(metricSample(await metrics.metrics(), "charthouse_message_duration_seconds_count", { subject: "test.work.v1" })).toBe(1);
    }
  });
});
