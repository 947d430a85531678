import type { z } from "zod";
import type { Contract, PayloadOf } from "./contract.ts";

/**
 * What publishes contract messages and waits for them to be stored: JetStream in services, a
 * recording fake in tests. Domain code depends on this, not on the messaging adapter.
 */
export interface MessagePublisher {
  /** Publishes one message and waits for its acknowledgement. */
  publish<S extends z.ZodType>(contract: Contract<S>, payload: PayloadOf<Contract<S>>): Promise<void>;
  /** Publishes many messages with up to `window` acknowledgements outstanding; returns how many were published. */
  publishMany<S extends z.ZodType>(
    contract: Contract<S>,
    payloads: Iterable<PayloadOf<Contract<S>>>,
    options?: { window?: number },
  ): Promise<number>;
}
