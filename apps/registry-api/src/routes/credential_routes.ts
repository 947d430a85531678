import { randomUUID } from "node:crypto";
import { Router } from "express";
import { z } from "zod";
import { validateCredentialInput, type SecretBox } from "@charthouse/credentials";
import { InputError, UnavailableError } from "@charthouse/errors";
import type { ApiContext } from "../api_context.ts";
import { authOf } from "../auth.ts";
import { insertCredential, updateCredential } from "../credential_writes.ts";
import { parsePageRequest } from "../pagination.ts";
import { pathId } from "../path_ids.ts";
import { getCredential, getSealedCredential, listCredentials } from "../queries/credential_queries.ts";
import { parseBody } from "../request_body.ts";

const nameSchema = z.string({ error: "is required" }).trim().min(1, "must not be empty").max(100, "must be at most 100 characters");
const createSchema = z.object({ name: nameSchema, kind: z.string({ error: "is required" }) });
const patchSchema = z.object({ name: nameSchema.optional(), kind: z.string().optional() });

// Body fields that are not part of a credential's secret.
const nonSecretFields = new Set(["name", "kind"]);

/** /credentials: create, list, get, patch (replace secret fields), delete. Never returns a secret. */
export function credentialRoutes(context: ApiContext): Router {
  const { db } = context;
  const router = Router();

  router.get("/credentials", async (req, res) => {
    res.json(await listCredentials(db, authOf(res).organizationId, parsePageRequest(req.query)));
  });

  router.get("/credentials/:id", async (req, res) => {
    res.json(await getCredential(db, authOf(res).organizationId, pathId(req.params.id, "credential")));
  });

  router.post("/credentials", async (req, res) => {
    const { organizationId } = authOf(res);
    const box = requireSecretBox(context.secretBox);
    const body = parseBody(createSchema, req.body);
    const input = validateCredentialInput(body.kind, req.body);
    const id = randomUUID();
    await insertCredential(db, organizationId, {
      id,
      name: body.name,
      kind: input.kind,
      public: input.public,
      sealed: box.seal(input.secret, id),
    });
    res.status(201).location(`${req.baseUrl}/credentials/${id}`).json(await getCredential(db, organizationId, id));
  });

  router.patch("/credentials/:id", async (req, res) => {
    const { organizationId } = authOf(res);
    const id = pathId(req.params.id, "credential");
    const stored = await getSealedCredential(db, organizationId, id);
    const body = parseBody(patchSchema, req.body);
    if (body.kind !== undefined && body.kind !== stored.kind) {
      throw new InputError(`The kind of credential ${id} cannot change from ${stored.kind} to another kind`, {
        fields: [{ field: "kind", message: `must be ${stored.kind}; create a new credential for another kind` }],
      });
    }
    const secretFields = Object.fromEntries(
      Object.entries(req.body as Record<string, unknown>).filter(([key]) => !nonSecretFields.has(key)),
    );
    let secret: Parameters<typeof updateCredential>[3]["secret"];
    if (Object.keys(secretFields).length > 0) {
      const box = requireSecretBox(context.secretBox);
      const current = box.open({ keyId: stored.secret_key_id, ciphertext: stored.secret_ciphertext }, id);
      const merged = { ...(isRecord(current) ? current : {}), ...secretFields };
      const input = validateCredentialInput(stored.kind, merged);
      secret = { public: input.public, sealed: box.seal(input.secret, id) };
    }
    await updateCredential(db, organizationId, id, {
      ...(body.name === undefined ? {} : { name: body.name }),
      ...(secret === undefined ? {} : { secret }),
    });
    res.json(await getCredential(db, organizationId, id));
  });

  router.delete("/credentials/:id", async (req, res) => {
    await db.credentials.delete(authOf(res).organizationId, pathId(req.params.id, "credential"));
    res.status(204).end();
  });

  return router;
}

/** The secret box, or a 503 saying that `what` cannot be stored without CHARTHOUSE_SECRET_KEY. */
export function requireSecretBox(box: SecretBox | null, what = "Credentials"): SecretBox {
  if (box === null) {
    throw new UnavailableError(`${what} cannot be stored: CHARTHOUSE_SECRET_KEY is not configured`, {
      code: "unavailable",
      solution: "Set CHARTHOUSE_SECRET_KEY to 32 random bytes in base64 (openssl rand -base64 32) and restart registry-api",
    });
  }
  return box;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
