import { Events, type NatsConnection } from "nats";
import type { Logger } from "@charthouse/logging";

/** Whether a NATS connection is up right now, as its status events tell. */
export interface ConnectionState {
  readonly connected: boolean;
}

/**
 * Follows a connection's status events: readiness reports a lost broker while the client
 * reconnects, and an operator reads one line when the connection drops and one when it is back.
 */
export function watchConnection(nats: NatsConnection, log: Logger): ConnectionState {
  const state = { connected: true };
  void (async () => {
    for await (const status of nats.status()) {
      if (status.type === Events.Disconnect && state.connected) {
        state.connected = false;
        log.warn({ server: String(status.data) }, "NATS connection lost; reconnecting");
      } else if (status.type === Events.Reconnect) {
        state.connected = true;
        log.info({ server: String(status.data) }, "NATS connection restored");
      }
    }
  })().catch(() => undefined);
  return state;
}
