/**
 * The operator's part of the OpenAPI document: dead letters listed and replayed
 * (apps/registry-api/src/routes/admin_routes.ts).
 */
import {
  errors,
  int,
  json,
  nullable,
  nullableTime,
  object,
  op,
  page,
  pageParams,
  problem,
  ref,
  str,
  time,
  uuid,
  type OperationObject,
  type SchemaObject,
} from "./openapi_builders.ts";

/** The schemas of the dead-letter routes. */
export const adminSchemas: Record<string, SchemaObject> = {
  DeadLetter: object({
    id: { ...int, minimum: 1, description: "Its sequence in the CHARTHOUSE_DEAD_LETTERS stream: the id to replay it by" },
    subject: str("The subject the message was published on, e.g. chart.download.requested.v1"),
    msg_id: { ...nullable("string"), description: "The original message id (Nats-Msg-Id); null in older dead letters" },
    concerns: {
      ...object({
        registry_id: nullable("string", { format: "uuid" }),
        version_id: nullable("string", { format: "uuid" }),
        chart: nullable("string"),
        version: nullable("string"),
        sync_run_id: nullable("string", { format: "uuid" }),
      }),
      description: "What it is about, read from its payload (null where the payload does not say). The payload itself is never shown",
    },
    error: { ...ref("StoredError"), description: "The last error; code internal when the dead letter itself cannot be read" },
    deliveries: { ...int, description: "Deliveries before it was given up" },
    first_published_at: { ...nullableTime, description: "When the original message was first published; null in older dead letters" },
    dead_lettered_at: time,
  }),
  DeadLetterPage: page("DeadLetter"),
  DeadLetterReplayFilter: object(
    {
      subject: str("Only dead letters of this original subject (no wildcards)"),
      registry_id: uuid,
      code: str("Only dead letters whose last error has this code"),
      cursor: str("next_cursor of the previous answer, to go on"),
    },
    [],
  ),
  DeadLetterReplayOutcome: object({
    id: int,
    subject: str(),
    outcome: { type: "string", enum: ["replayed", "skipped"] },
    reason: {
      oneOf: [
        object({
          code: {
            type: "string",
            enum: ["gone", "settled", "busy", "no_download_url", "unreadable"],
            description:
              "gone: its registry or version was deleted; settled: the version is ready or removed from the index; busy: the version is being re-opened elsewhere, replay again later; no_download_url: the version has no archive URL, sync its registry; unreadable: the dead letter names no registry or version, or its subject is not replayed",
          },
          message: str(),
        }),
        { type: "null" },
      ],
    },
    removed: { type: "boolean", description: "It left the dead-letter stream: every replayed one, and gone or settled ones (nothing left to replay)" },
  }),
  DeadLetterReplay: object({
    replayed: int,
    skipped: int,
    items: { type: "array", items: ref("DeadLetterReplayOutcome") },
    next_cursor: { ...nullable("string"), description: "Set when more may match than one call replays (2,000): send it back as cursor" },
  }),
};

/** The dead-letter routes. */
export const adminPaths: Record<string, Record<string, OperationObject>> = {
  "/admin/dead-letters": {
    get: op(
      "listDeadLetters",
      "Messages given up (retried past CHARTHOUSE_GIVE_UP_AFTER_SECONDS, or unreadable), across every organisation, oldest first; operator only (an admin token of the default organisation). A filtered page may hold fewer than limit items and still have a next_cursor",
      "admin",
      { 200: { description: "A page of dead letters", content: json(ref("DeadLetterPage")) }, 422: errors[422], 503: problem("NATS is unreachable (code unavailable)") },
      {
        parameters: [
          { name: "subject", in: "query", required: false, description: "Original subject, e.g. chart.download.requested.v1, chart.downloaded.v1, sync.requested.http.v1", schema: str() },
          { name: "registry_id", in: "query", required: false, schema: uuid },
          { name: "code", in: "query", required: false, description: "The last error's code, e.g. connection_failed", schema: str() },
          ...pageParams,
        ],
      },
    ),
  },
  "/admin/dead-letters/{id}/replay": {
    post: op(
      "replayDeadLetter",
      "Send one dead letter back: a version's re-opens the version (discovered, its download queued again), a sync's requests a new sync of its registry; a replayed dead letter leaves the stream. Operator only",
      "admin",
      { 200: { description: "What happened to it (replayed, or skipped and why)", content: json(ref("DeadLetterReplay")) }, 404: problem("No dead letter with this id (code not_found)"), 503: problem("NATS is unreachable (code unavailable)") },
      { parameters: [{ name: "id", in: "path", required: true, description: "The dead letter's id (stream sequence)", schema: { type: "integer", minimum: 1 } }] },
    ),
  },
  "/admin/dead-letters/replay": {
    post: op(
      "replayDeadLetters",
      "Send back every dead letter matching the filter (an empty object: all), up to 2,000 per call; operator only",
      "admin",
      { 200: { description: "How many were replayed and skipped, each with its outcome", content: json(ref("DeadLetterReplay")) }, 422: errors[422], 503: problem("NATS is unreachable (code unavailable)") },
      { requestBody: { required: true, content: json(ref("DeadLetterReplayFilter")) } },
    ),
  },
};
