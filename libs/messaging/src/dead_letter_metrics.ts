import type { Logger } from "@charthouse/logging";
import { Gauge, type Registry } from "prom-client";
import type { DeadLetterReader } from "./dead_letter_stream.ts";

/**
 * Registers `charthouse_dead_letters` (gauge: the messages the dead-letter stream holds now, by
 * original subject) on a metrics registry. Its value is read from the stream's state on each
 * scrape, so every copy of the API reports the same shared count; a subject whose dead letters
 * were all replayed drops to absent. When NATS cannot answer, the scrape still succeeds with the
 * last counts read (and the failure is logged).
 */
export function registerDeadLetterMetrics(
  registry: Registry,
  reader: Pick<DeadLetterReader, "countBySubject">,
  options: { log?: Logger } = {},
): Gauge<"subject"> {
  let last = new Map<string, number>();
  return new Gauge({
    name: "charthouse_dead_letters",
    help: "Messages currently in the dead-letter stream (given up, waiting to be replayed), by original subject",
    labelNames: ["subject"],
    registers: [registry],
    async collect() {
      try {
        last = await reader.countBySubject();
      } catch (err) {
        options.log?.warn({ err }, "Cannot count the dead letters; reporting the last counts");
      }
      this.reset();
      for (const [subject, count] of last) this.set({ subject }, count);
    },
  });
}
