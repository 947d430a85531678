import type { StoredError } from "@charthouse/errors";
import { z } from "zod";

/** The prefix of every dead letter's subject: `deadletter.<original subject>`. */
export const deadLetterSubjectPrefix = "deadletter.";

/** What a dead letter concerns, read from its original payload (null where the payload does not say). */
export interface DeadLetterConcern {
  registryId: string | null;
  versionId: string | null;
  chart: string | null;
  version: string | null;
  syncRunId: string | null;
}

/** One message that was given up, as the dead-letter stream keeps it. */
export interface DeadLetter {
  /** Its sequence in the dead-letter stream: the id an operator lists and replays it by. */
  seq: number;
  /** The subject it was first published on, e.g. `chart.download.requested.v1`. */
  subject: string;
  /** The original message id (Nats-Msg-Id), when recorded. */
  msgId: string | null;
  /** The original payload, parsed; null when it is not a JSON object (it cannot be replayed). */
  payload: Record<string, unknown> | null;
  concerns: DeadLetterConcern;
  /** The last error, as it was stored on the object. */
  error: StoredError;
  /** Deliveries before it was given up (0 when not recorded). */
  deliveries: number;
  /** When the original message was first published, when recorded. */
  firstPublishedAt: string | null;
  /** When it was given up: as recorded, else when the dead-letter stream received it. */
  deadLetteredAt: string;
}

const uuid = z.uuid();
const time = z.iso.datetime({ offset: true });

const recordSchema = z.object({
  subject: z.string().min(1),
  msgId: z.string().nullish(),
  data: z.string(),
  error: z
    .object({ code: z.string().min(1), message: z.string(), cause: z.string().nullish(), solution: z.string().nullish() })
    .nullish(),
  deliveries: z.number().int().nonnegative().nullish(),
  firstPublishedAt: time.nullish(),
  deadLetteredAt: time.nullish(),
});

const unreadableError = (what: string): StoredError => ({
  code: "internal",
  message: `The dead letter cannot be read: ${what}`,
  cause: null,
  solution: "Look at the message in the CHARTHOUSE_DEAD_LETTERS stream; it cannot be replayed",
});

/**
 * Reads one dead-letter record (the JSON the consumer loop writes) into a DeadLetter. Older
 * records without msgId or times are read too; a record that is not one at all is still listed,
 * with its subject taken from the stream and an error saying what is wrong, so nothing is hidden
 * from an operator.
 */
export function parseDeadLetter(message: { seq: number; subject: string; text: string; receivedAt: Date }): DeadLetter {
  const streamSubject = message.subject.startsWith(deadLetterSubjectPrefix)
    ? message.subject.slice(deadLetterSubjectPrefix.length)
    : message.subject;
  const base = {
    seq: message.seq,
    subject: streamSubject,
    msgId: null,
    payload: null,
    concerns: concernOf(null),
    deliveries: 0,
    firstPublishedAt: null,
    deadLetteredAt: message.receivedAt.toISOString(),
  };
  const parsed = recordSchema.safeParse(parseJson(message.text));
  if (!parsed.success) return { ...base, error: unreadableError("it is not a dead-letter record") };
  const record = parsed.data;
  const data = parseJson(record.data);
  const payload = isPlainObject(data) ? data : null;
  return {
    seq: message.seq,
    subject: record.subject,
    msgId: record.msgId ?? null,
    payload,
    concerns: concernOf(payload),
    error: record.error
      ? {
          code: record.error.code,
          message: record.error.message,
          cause: record.error.cause ?? null,
          solution: record.error.solution ?? "",
        }
      : unreadableError("it records no error"),
    deliveries: record.deliveries ?? 0,
    firstPublishedAt: record.firstPublishedAt ? new Date(record.firstPublishedAt).toISOString() : null,
    deadLetteredAt: record.deadLetteredAt ? new Date(record.deadLetteredAt).toISOString() : base.deadLetteredAt,
  };
}

/** The registry, version or sync run a payload names (every message of Charthouse names its registry). */
export function concernOf(payload: Record<string, unknown> | null): DeadLetterConcern {
  const id = (key: string): string | null => {
    const value = payload?.[key];
    return typeof value === "string" && uuid.safeParse(value).success ? value.toLowerCase() : null;
  };
  const text = (key: string): string | null => {
    const value = payload?.[key];
    return typeof value === "string" && value.length > 0 ? value : null;
  };
  return {
    registryId: id("registryId"),
    versionId: id("versionId"),
    chart: text("chart"),
    version: text("version"),
    syncRunId: id("syncRunId"),
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
