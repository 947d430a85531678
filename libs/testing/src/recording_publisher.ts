import { validatePayload, type Contract, type MessagePublisher, type PayloadOf } from "@charthouse/contracts";
import { UnavailableError } from "@charthouse/errors";
import type { z } from "zod";

/** A message as the recording publisher kept it. */
export interface PublishedMessage {
  subject: string;
  messageId: string;
  payload: unknown;
}

/**
 * A publisher for handler tests: validates each message against its contract as JetStream's
 * publisher does, records it in memory with its message id, and fails (like JetStream without
 * responders) while `failing` is set.
 */
export class RecordingPublisher implements MessagePublisher {
  readonly published: PublishedMessage[] = [];
  failing = false;

  async publish<S extends z.ZodType>(contract: Contract<S>, payload: PayloadOf<Contract<S>>): Promise<void> {
    await Promise.resolve();
    if (this.failing) throw new UnavailableError(`Cannot publish ${contract.subject}`, { code: "unavailable" });
    const valid = validatePayload(contract, payload);
    this.published.push({ subject: contract.subject, messageId: contract.messageId(valid), payload: valid });
  }

  async publishMany<S extends z.ZodType>(contract: Contract<S>, payloads: Iterable<PayloadOf<Contract<S>>>): Promise<number> {
    let count = 0;
    for (const payload of payloads) {
      await this.publish(contract, payload);
      count++;
    }
    return count;
  }

  /** The subjects published, in order. */
  subjects(): string[] {
    return this.published.map((m) => m.subject);
  }

  /** The payloads published under `subject`, in order. */
  payloads<T = Record<string, unknown>>(subject: string): T[] {
    return this.published.filter((m) => m.subject === subject).map((m) => m.payload as T);
  }
}
