import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Registry } from "prom-client";
import { streams } from "@charthouse/contracts";
import { startNatsServer, type NatsServer } from "@charthouse/testing";
import type { NatsConnection } from "nats";
import { connectNats } from "./connect.ts";
import { registerDeadLetterMetrics } from "./dead_letter_metrics.ts";
import { DeadLetterStream } from "./dead_letter_stream.ts";
import { ensureStream } from "./provision.ts";

let server: NatsServer;
let nats: NatsConnection;
let deadLetters: DeadLetterStream;

const registryA = "0b5f6f43-41a4-4f0e-9a53-5d8d8d1a6a01";
const registryB = "1b5f6f43-41a4-4f0e-9a53-5d8d8d1a6a02";

/** Publishes a dead letter the way the consumer loop writes one; returns its sequence. */
async function publishDeadLetter(subject: string, registryId: string, code: string, n: number): Promise<number> {
  const record = {
    subject,
    msgId: `m-${n}`,
    data: JSON.stringify({ registryId, versionId: `7c1c3f39-3c0a-4a43-8f5e-${String(n).padStart(12, "0")}`, chart: "app", version: `1.0.${n}` }),
    error: { code, message: `failed ${n}`, cause: null, solution: "Retry" },
    deliveries: n,
    firstPublishedAt: "2026-11-30T09:00:00Z",
    deadLetteredAt: "2026-11-30T10:00:00Z",
  };
  const ack = await nats.jetstream().publish(`deadletter.${subject}`, new TextEncoder().encode(JSON.stringify(record)));
  return ack.seq;
}

const seqs: number[] = [];

beforeAll(async () => {
  server = await startNatsServer();
  nats = await connectNats(server.url, "dead-letter-stream-test");
  await ensureStream(await nats.jetstreamManager(), streams.DEAD_LETTERS);
  deadLetters = await DeadLetterStream.open(nats);
  // 12 dead letters: downloads of registry A (timeouts), extractions of B, one sync of A.
  for (let n = 1; n <= 8; n++) seqs.push(await publishDeadLetter("chart.download.requested.v1", registryA, "timeout", n));
  for (let n = 9; n <= 11; n++) seqs.push(await publishDeadLetter("chart.downloaded.v1", registryB, "unavailable", n));
  seqs.push(await publishDeadLetter("sync.requested.http.v1", registryA, "connection_failed", 12));
});

afterAll(async () => {
  await nats?.drain();
  await server?.stop();
});

describe("DeadLetterStream", () => {
  it("pages through every dead letter in stream order with cursors, and leaves no consumer behind", async () => {
    const seen: number[] = [];
    let after = 0;
    let pages = 0;
    for (;;) {
      const page = await deadLetters.page({ after, limit: 5 });
      pages++;
      expect(page.items.length).toBeLessThanOrEqual(5);
      seen.push(...page.items.map((d) => d.seq));
      if (page.nextAfter === null) break;
      after = page.nextAfter;
    }
    expect(seen).toEqual(seqs);
    expect(pages).toBe(3);
    const consumers = await (await nats.jetstreamManager()).consumers.list(streams.DEAD_LETTERS.name).next();
    expect(consumers).toEqual([]);
  });

  it("filters by original subject on the server, and by anything else page by page", async () => {
    const extractions = await deadLetters.page({ after: 0, limit: 100, subject: "chart.downloaded.v1" });
    expect(extractions.items.map((d) => d.seq)).toEqual(seqs.slice(8, 11));
    expect(extractions.nextAfter).toBeNull();
    expect(extractions.items[0]).toMatchObject({ subject: "chart.downloaded.v1", concerns: { registryId: registryB, chart: "app" } });

    const ofA = await deadLetters.page({ after: 0, limit: 100, match: (d) => d.concerns.registryId === registryA && d.error.code === "connection_failed" });
    expect(ofA.items.map((d) => d.subject)).toEqual(["sync.requested.http.v1"]);
    expect(ofA.nextAfter).toBeNull();
  });

  it("answers a rare filter in bounded reads: what matched so far and a cursor to go on", async () => {
    const first = await deadLetters.page({ after: 0, limit: 10, scanLimit: 10, match: (d) => d.subject.startsWith("sync.") });
    expect(first.items).toEqual([]);
    expect(first.nextAfter).toBe(seqs[9]);
    const rest = await deadLetters.page({ after: first.nextAfter!, limit: 10, scanLimit: 10, match: (d) => d.subject.startsWith("sync.") });
    expect(rest.items.map((d) => d.seq)).toEqual([seqs[11]]);
    expect(rest.nextAfter).toBeNull();
  });

  it("refuses a subject filter with wildcards", async () => {
    await expect(deadLetters.page({ after: 0, limit: 10, subject: "chart.>" })).rejects.toMatchObject({ code: "invalid_input" });
  });

  it("gets one by its sequence, and null for one that does not exist", async () => {
    const one = await deadLetters.get(seqs[2]!);
    expect(one).toMatchObject({ seq: seqs[2], subject: "chart.download.requested.v1", deliveries: 3, error: { code: "timeout" } });
    expect(await deadLetters.get(999_999)).toBeNull();
    expect(await deadLetters.get(0)).toBeNull();
  });

  it("counts by subject; charthouse_dead_letters follows on every scrape, removals included", async () => {
    const registry = new Registry();
    registerDeadLetterMetrics(registry, deadLetters);
    const scrape = async (): Promise<string> => await registry.metrics();
    let text = await scrape();
    expect(text).toContain('charthouse_dead_letters{subject="chart.download.requested.v1"} 8');
    expect(text).toContain('charthouse_dead_letters{subject="chart.downloaded.v1"} 3');
    expect(text).toContain('charthouse_dead_letters{subject="sync.requested.http.v1"} 1');

    expect(await deadLetters.remove(seqs[11]!)).toBe(true);
    expect(await deadLetters.remove(seqs[11]!)).toBe(false);
    expect(await deadLetters.remove(seqs[0]!)).toBe(true);
    expect(await deadLetters.get(seqs[0]!)).toBeNull();
    expect(await deadLetters.countBySubject()).toEqual(new Map([["chart.download.requested.v1", 7], ["chart.downloaded.v1", 3]]));
    text = await scrape();
    expect(text).toContain('charthouse_dead_letters{subject="chart.download.requested.v1"} 7');
    expect(text).not.toContain('subject="sync.requested.http.v1"');
  });

  it("keeps the last counts when the stream cannot be read, so a scrape never fails", async () => {
    const registry = new Registry();
    let fail = false;
    registerDeadLetterMetrics(registry, {
      countBySubject: async () => {
        if (fail) throw new Error("NATS away");
        return new Map([["chart.downloaded.v1", 2]]);
      },
    });
    expect(await registry.metrics()).toContain('charthouse_dead_letters{subject="chart.downloaded.v1"} 2');
    fail = true;
    expect(await registry.metrics()).toContain('charthouse_dead_letters{subject="chart.downloaded.v1"} 2');
  });
});
