import { InputError, NotFoundError, type StoredError } from "@charthouse/errors";
import { isPlainSubject, type DeadLetter, type DeadLetterReader } from "@charthouse/messaging";
import { decodeOffsetCursor, encodeOffsetCursor, single, type Page, type PageRequest } from "../pagination.ts";
import { isUuid } from "../path_ids.ts";

/** A dead letter as GET /admin/dead-letters answers it (never the raw payload: it may hold a signed URL). */
export interface DeadLetterJson {
  /** Its sequence in the CHARTHOUSE_DEAD_LETTERS stream. */
  id: number;
  subject: string;
  msg_id: string | null;
  /** What it is about, read from its payload (null where the payload does not say). */
  concerns: {
    registry_id: string | null;
    version_id: string | null;
    chart: string | null;
    version: string | null;
    sync_run_id: string | null;
  };
  error: StoredError;
  deliveries: number;
  first_published_at: string | null;
  dead_lettered_at: string;
}

/** Which dead letters a list or a replay takes (every field optional: none means all). */
export interface DeadLetterFilter {
  subject?: string;
  registryId?: string;
  code?: string;
}

const codePattern = /^[a-z][a-z0-9_]{0,63}$/;

/** The JSON of a dead letter. */
export function deadLetterJson(deadLetter: DeadLetter): DeadLetterJson {
  const { concerns } = deadLetter;
  return {
    id: deadLetter.seq,
    subject: deadLetter.subject,
    msg_id: deadLetter.msgId,
    concerns: {
      registry_id: concerns.registryId,
      version_id: concerns.versionId,
      chart: concerns.chart,
      version: concerns.version,
      sync_run_id: concerns.syncRunId,
    },
    error: deadLetter.error,
    deliveries: deadLetter.deliveries,
    first_published_at: deadLetter.firstPublishedAt,
    dead_lettered_at: deadLetter.deadLetteredAt,
  };
}

/** Checks a filter's fields (a list's query string or a replay's body); every problem in one 422. */
export function checkDeadLetterFilter(raw: { subject?: unknown; registry_id?: unknown; code?: unknown }): DeadLetterFilter {
  const fields: { field: string; message: string }[] = [];
  const filter: DeadLetterFilter = {};
  const text = (value: unknown, field: string): string | undefined => {
    if (value === undefined || value === null || value === "") return undefined;
    if (typeof value === "string") return value;
    fields.push({ field, message: "must be a string" });
    return undefined;
  };
  const subject = text(raw.subject, "subject");
  if (subject !== undefined) {
    if (isPlainSubject(subject)) filter.subject = subject;
    else fields.push({ field: "subject", message: "must be a message subject such as chart.download.requested.v1, without wildcards" });
  }
  const registryId = text(raw.registry_id, "registry_id");
  if (registryId !== undefined) {
    if (isUuid(registryId)) filter.registryId = registryId.toLowerCase();
    else fields.push({ field: "registry_id", message: "must be a registry id (UUID)" });
  }
  const code = text(raw.code, "code");
  if (code !== undefined) {
    if (codePattern.test(code)) filter.code = code;
    else fields.push({ field: "code", message: "must be an error code such as timeout or connection_failed" });
  }
  if (fields.length > 0) throw new InputError(`Invalid filter: ${fields.map((f) => `${f.field} ${f.message}`).join("; ")}`, { fields });
  return filter;
}

/** The filter of a list request's query string (`?subject=&registry_id=&code=`). */
export function deadLetterFilterOfQuery(query: Record<string, unknown>): DeadLetterFilter {
  return checkDeadLetterFilter({
    subject: single(query["subject"], "subject"),
    registry_id: single(query["registry_id"], "registry_id"),
    code: single(query["code"], "code"),
  });
}

/** What a dead-letter page reads for a filter: the subject on the server, the rest page by page. */
export function pageFilterOf(filter: DeadLetterFilter): { subject?: string; match?: (d: DeadLetter) => boolean } {
  const { registryId, code } = filter;
  const match =
    registryId === undefined && code === undefined
      ? undefined
      : (d: DeadLetter): boolean => (registryId === undefined || d.concerns.registryId === registryId) && (code === undefined || d.error.code === code);
  return { ...(filter.subject === undefined ? {} : { subject: filter.subject }), ...(match === undefined ? {} : { match }) };
}

/**
 * One page of dead letters, oldest first (stream order). A page may hold fewer than `limit`
 * items and still have a next_cursor: a filter is applied to at most a few thousand messages
 * per request, so a rare match over a long stream answers in bounded time.
 */
export async function listDeadLetters(reader: DeadLetterReader, filter: DeadLetterFilter, page: PageRequest): Promise<Page<DeadLetterJson>> {
  const after = decodeOffsetCursor(page.cursor);
  const read = await reader.page({ after, limit: page.limit, ...pageFilterOf(filter) });
  return {
    items: read.items.map(deadLetterJson),
    next_cursor: read.nextAfter === null ? null : encodeOffsetCursor(read.nextAfter),
  };
}

/** The sequence of a dead letter named in a path; anything but a positive whole number names none (404). */
export function deadLetterId(value: string | string[] | undefined): number {
  const text = typeof value === "string" ? value : "";
  const seq = /^[1-9][0-9]{0,15}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(seq)) throw new NotFoundError(`No dead letter with id "${text}"`);
  return seq;
}

/** One dead letter by its id, or a 404. */
export async function getDeadLetter(reader: DeadLetterReader, seq: number): Promise<DeadLetter> {
  const deadLetter = await reader.get(seq);
  if (deadLetter === null) throw new NotFoundError(`No dead letter with id ${seq}`, { solution: "List the dead letters: GET /api/v1/admin/dead-letters" });
  return deadLetter;
}
