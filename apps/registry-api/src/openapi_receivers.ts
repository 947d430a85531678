/**
 * The receivers' part of the OpenAPI document: /receivers (managed with API tokens) and
 * /hooks/{id} (where registries post their push events, proven by the receiver's own secret).
 */
import { receiverKinds } from "@charthouse/catalog";
import {
  errors,
  idParam,
  json,
  nullable,
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
  type ParameterObject,
  type SchemaObject,
} from "./openapi_builders.ts";

const kind: SchemaObject = {
  type: "string",
  enum: receiverKinds,
  description:
    "The sender. distribution (docker-registry notifications), harbor, acr, cloudevents (zot, any CloudEvents 1.0 sender, structured or binary) and generic prove themselves with Authorization: Bearer <secret>; github with X-Hub-Signature-256 (HMAC-SHA256 of the body with the secret); dockerhub, which cannot send headers, with the secret as the last path segment (/hooks/{id}/{secret})",
};

/** The receivers' schemas, by name. */
export const receiverSchemas: Record<string, SchemaObject> = {
  Receiver: object(
    {
      id: uuid,
      name: str(),
      kind,
      registry_id: uuid,
      url: str("Absolute URL of the hook the sender posts to (dockerhub: append /{secret})"),
      snippet: object({
        format: { type: "string", enum: ["yaml", "json", "shell", "text"] },
        content: str("What to paste into the sender's configuration: docker-registry's notifications endpoint (with the Authorization header and an ignore list for pulls and blob uploads), zot's events sink, az acr webhook create, or the fields of Harbor's, GitHub's and Docker Hub's webhook forms. The secret appears in it only in the 201 answer"),
      }),
      created_at: time,
    },
    ["id", "name", "kind", "registry_id", "url", "snippet", "created_at"],
  ),
  ReceiverCreated: {
    description: "A Receiver plus its secret, shown in this response only",
    allOf: [ref("Receiver"), object({ secret: str("The sender's secret (64 hex digits): paste it now, it is never shown again") })],
  },
  ReceiverCreate: {
    ...object({ name: { type: "string", minLength: 1, maxLength: 100, description: "Unique in the organisation" }, kind, registry_id: uuid }),
    additionalProperties: false,
  },
  ReceiverPage: page("Receiver"),
  ReceiverEventAnswer: {
    oneOf: [
      object({ ignored: { type: "boolean", description: "true" }, reason: str("Why nothing was synced: a pull, a blob upload, a delete, another repository, a ping, ...") }),
      object({
        ignored: { type: "boolean", description: "false" },
        sync_id: uuid,
        repository: nullable("string", { description: "The one OCI repository the sync reads, or null for the whole registry (or an HTTP index)" }),
      }),
    ],
  },
};

const hooksServers = [{ url: "/", description: "Receivers' hooks are served at /hooks, beside /api/v1" }];

function hookOp(operationId: string, summary: string, parameters: ParameterObject[]): OperationObject {
  return {
    operationId,
    summary,
    tags: ["receivers"],
    servers: hooksServers,
    security: [],
    parameters,
    requestBody: { required: false, content: { "application/json": { schema: { type: "object" } } } },
    responses: {
      202: {
        description:
          "A push for the receiver's registry: a sync with trigger push was requested (of the one OCI repository it names, or the whole registry; an HTTP registry's index). Or a valid event that asks for nothing: ignored, with the reason",
        content: json(ref("ReceiverEventAnswer")),
      },
      401: problem("Unknown receiver, or a bad or missing secret or signature (code unauthorized); counted in charthouse_receiver_events_total{outcome=\"unauthorized\"}"),
      409: problem("A GitHub delivery (X-GitHub-Delivery) already received (code conflict)"),
      413: problem("The body is over 1 MiB (code too_large)"),
      422: problem("The body is not JSON, or not the sender's shape (code invalid_input)"),
    },
  };
}

const receiverId: ParameterObject = { name: "id", in: "path", required: true, description: "The receiver's id", schema: uuid };

/** The receivers' routes, by path. */
export const receiverPaths: Record<string, Record<string, OperationObject>> = {
  "/receivers": {
    get: op("listReceivers", "List receivers (never their secrets)", "receivers", { 200: { description: "A page of receivers", content: json(ref("ReceiverPage")) }, 422: errors[422] }, { parameters: pageParams }),
    post: op(
      "createReceiver",
      "Create a receiver of a registry's push events; its secret and the snippet for the sender are in this answer only",
      "receivers",
      {
        201: { description: "The receiver with its secret", content: json(ref("ReceiverCreated")), headers: { Location: { schema: str() } } },
        404: problem("No such registry in this organisation (code not_found)"),
        409: problem("The name is taken (code conflict)"),
        422: errors[422],
        503: problem("A github receiver needs CHARTHOUSE_SECRET_KEY, which is not configured (code unavailable)"),
      },
      { requestBody: { required: true, content: json(ref("ReceiverCreate")) } },
    ),
  },
  "/receivers/{id}": {
    get: op("getReceiver", "Get a receiver (no secret)", "receivers", { 200: { description: "The receiver", content: json(ref("Receiver")) }, 404: errors[404] }, { parameters: [idParam("receiver")] }),
    delete: op("deleteReceiver", "Delete a receiver: its hook answers 401 from then on", "receivers", { 204: { description: "Deleted" }, 404: errors[404] }, { parameters: [idParam("receiver")] }),
  },
  "/hooks/{id}": {
    post: hookOp("postReceiverEvent", "A registry's event, proven by Authorization: Bearer <secret> or (github) X-Hub-Signature-256", [
      receiverId,
      { name: "X-GitHub-Delivery", in: "header", required: false, description: "github: the delivery id; a second delivery with the same id is refused (409) for 7 days", schema: str() },
    ]),
  },
  "/hooks/{id}/{secret}": {
    post: hookOp("postReceiverEventWithPathSecret", "A Docker Hub event: the secret is the last path segment", [
      receiverId,
      { name: "secret", in: "path", required: true, description: "The receiver's secret", schema: str() },
    ]),
  },
};
