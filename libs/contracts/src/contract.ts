import { InputError } from "@charthouse/errors";
import type { z } from "zod";

/** A message type: its versioned subject, the stream that holds it, and its runtime schema. */
export interface Contract<Schema extends z.ZodType> {
  readonly subject: string;
  readonly stream: string;
  readonly schema: Schema;
  /** The JetStream message id: derived from what the message means, so re-publishes are dropped. */
  readonly messageId: (payload: z.infer<Schema>) => string;
}

/** The payload type of a contract. */
export type PayloadOf<C> = C extends Contract<infer S> ? z.infer<S> : never;

/** Defines a contract (keeps the schema's type). */
export function defineContract<Schema extends z.ZodType>(contract: Contract<Schema>): Contract<Schema> {
  return Object.freeze(contract);
}

/** Validates a payload against its contract, when publishing and when consuming. */
export function validatePayload<Schema extends z.ZodType>(contract: Contract<Schema>, payload: unknown): z.infer<Schema> {
  const result = contract.schema.safeParse(payload);
  if (!result.success) {
    const fields = result.error.issues.map((issue) => ({ field: issue.path.join("."), message: issue.message }));
    throw new InputError(
      `Invalid ${contract.subject} message: ${fields.map((f) => `${f.field || "(root)"} ${f.message}`).join("; ")}`,
      { fields },
    );
  }
  return result.data;
}
