import { streams } from "@charthouse/contracts";
import type { JetStreamManager } from "@charthouse/messaging";
import { Gauge } from "prom-client";
import type { ScrapeCollectorFactory } from "./scraping_registry.ts";

/** More durable consumers than this on one stream are not exported (label cardinality). */
const maxConsumersPerStream = 50;

/**
 * charthouse_jetstream_consumer_pending{stream,consumer} and _ack_pending: what each durable
 * consumer of Charthouse's streams has not been given yet, and has been given but not acked,
 * read from the JetStream API on scrape. Ephemeral consumers (the API's live event feeds) are
 * left out: their names are random.
 */
export function jetStreamConsumerGauges(jsm: JetStreamManager): ScrapeCollectorFactory {
  return (registry) => {
    const pending = new Gauge({
      name: "charthouse_jetstream_consumer_pending",
      help: "Messages of the stream not yet delivered to this durable consumer (its lag)",
      labelNames: ["stream", "consumer"],
      registers: [registry],
    });
    const ackPending = new Gauge({
      name: "charthouse_jetstream_consumer_ack_pending",
      help: "Messages delivered to this durable consumer and not yet acknowledged (in flight or waiting to be redelivered)",
      labelNames: ["stream", "consumer"],
      registers: [registry],
    });
    return {
      name: "jetstream_consumers",
      async collect(signal) {
        const read: Array<{ stream: string; consumer: string; pending: number; ackPending: number }> = [];
        for (const { name: stream } of Object.values(streams)) {
          let seen = 0;
          for await (const info of jsm.consumers.list(stream)) {
            if (signal.aborted) return;
            if (!info.config.durable_name) continue;
            read.push({ stream, consumer: info.name, pending: info.num_pending, ackPending: info.num_ack_pending });
            if (++seen >= maxConsumersPerStream) break;
          }
        }
        // Set together, so a consumer deleted since the last scrape disappears.
        pending.reset();
        ackPending.reset();
        for (const row of read) {
          pending.set({ stream: row.stream, consumer: row.consumer }, row.pending);
          ackPending.set({ stream: row.stream, consumer: row.consumer }, row.ackPending);
        }
      },
    };
  };
}
