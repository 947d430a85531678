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
    });
  } catch (err) {
    throw new UnavailableError(`Cannot connect to NATS at ${url}`, { code: "unavailable", cause: err });
  }
}
