import { connect, type NatsConnection } from "nats";
import { UnavailableError } from "@charthouse/errors";

/** Connects to NATS, reconnecting for ever once connected; fails with UnavailableError at start. */
export async function connectNats(url: string, name: string): Promise<NatsConnection> {
  try {
    return await connect({
      servers: url,
      name,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      waitOnFirstConnect: false,
      timeout: 5_000,
      // nats.js otherwise captures a stack trace for every request (each JetStream publish): about
      // 45 µs apiece, 0.8 s of CPU for the 17,769 download requests of a large index. Our errors
      // already name what failed (Publisher wraps them).
      noAsyncTraces: true,
    });
  } catch (err) {
    throw new UnavailableError(`Cannot connect to NATS at ${url}`, { code: "unavailable", cause: err });
  }
}
