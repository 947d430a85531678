import { randomUUID } from "node:crypto";
import { Router, type Request } from "express";
import { z } from "zod";
import { receiverKinds, type ReceiverKind } from "@charthouse/catalog";
import type { ReceiverProof } from "@charthouse/db";
import { NotFoundError } from "@charthouse/errors";
import type { ApiContext } from "../api_context.ts";
import { authOf } from "../auth.ts";
import { hashReceiverSecret, newReceiverSecret } from "../hooks_signature.ts";
import { parsePageRequest } from "../pagination.ts";
import { pathId } from "../path_ids.ts";
import { getReceiver, listReceivers, receiverJson } from "../queries/receivers_queries.ts";
import { parseBody } from "../request_body.ts";
import { requireSecretBox } from "../secret_box_required.ts";

const createSchema = z.strictObject({
  name: z.string({ error: "is required" }).trim().min(1, "must not be empty").max(100, "must be at most 100 characters"),
  kind: z.enum(receiverKinds, { error: `must be one of ${receiverKinds.join(", ")}` }),
  registry_id: z.string({ error: "is required" }).regex(/^[0-9a-f-]{36}$/i, "must be the id of a registry"),
});

/** The senders whose proof is an HMAC: their secret is sealed, not hashed, since checking needs it. */
const hmacKinds: ReadonlySet<ReceiverKind> = new Set(["github"]);

/** /receivers: create (the secret is shown once), list, get, delete. */
export function receiversRoutes(context: ApiContext): Router {
  const { db } = context;
  const router = Router();

  router.get("/receivers", async (req, res) => {
    res.json(await listReceivers(db, authOf(res).organizationId, parsePageRequest(req.query), originOf(req)));
  });

  router.get("/receivers/:id", async (req, res) => {
    res.json(await getReceiver(db, authOf(res).organizationId, pathId(req.params.id, "receiver"), originOf(req)));
  });

  router.post("/receivers", async (req, res) => {
    const { organizationId } = authOf(res);
    const body = parseBody(createSchema, req.body);
    const id = randomUUID();
    const secret = newReceiverSecret();
    const proof: ReceiverProof = hmacKinds.has(body.kind)
      ? { kind: "sealed", ...sealFor(context, secret, id) }
      : { kind: "hash", hash: hashReceiverSecret(secret) };
    await db.receivers.insert(organizationId, { id, name: body.name, kind: body.kind, registryId: body.registry_id.toLowerCase(), proof });
    const row = await db.receivers.get(organizationId, id);
    if (!row) throw new NotFoundError(`No receiver with id ${id}`);
    context.log.info({ receiverId: id, kind: body.kind, registryId: row.registry_id }, "Receiver created");
    res.status(201).location(`${req.baseUrl}/receivers/${id}`).json(receiverJson(row, { origin: originOf(req), secret }));
  });

  router.delete("/receivers/:id", async (req, res) => {
    const id = pathId(req.params.id, "receiver");
    await db.receivers.delete(authOf(res).organizationId, id);
    context.log.info({ receiverId: id }, "Receiver deleted");
    res.status(204).end();
  });

  return router;
}

/** The origin the client reached the API at, for absolute hook URLs. */
export function originOf(req: Request): string {
  return `${req.protocol}://${req.get("host") ?? "localhost"}`;
}

function sealFor(context: ApiContext, secret: string, id: string): { keyId: string; ciphertext: string } {
  return requireSecretBox(context.secretBox, "GitHub receivers").seal({ secret }, id);
}
