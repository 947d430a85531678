import { Router } from "express";
import { z } from "zod";
import { authOf } from "../auth.ts";
import type { ApiContext } from "../api_context.ts";
import { parsePageRequest } from "../pagination.ts";
import { pathId } from "../path_ids.ts";
import { getRegistries, getRegistry, listRegistries, registryKind } from "../queries/registry_queries.ts";
import { listSyncRuns } from "../queries/sync_run_queries.ts";
import { normalizeRegistryUrl } from "../registry_url.ts";
import { parseBody } from "../request_body.ts";
import { assertCredentialUsable, createRegistries } from "../registry_writes.ts";
import { requestSync } from "../sync_requests.ts";

const nameSchema = z.string().trim().min(1, "must not be empty").max(100, "must be at most 100 characters");
const intervalSchema = z
  .number({ error: "must be a whole number of seconds" })
  .int("must be a whole number of seconds")
  .refine((v) => v === 0 || (v >= 10 && v <= 86_400), "must be 0 (no automatic sync) or between 10 and 86400");
const credentialIdSchema = z.uuid("must be a credential id (UUID) or null").nullable();

const createSchema = z.object({
  name: nameSchema,
  url: z.string({ error: "must be a URL" }).min(1, "must not be empty"),
  kind: z.enum(["http_registry", "oci_registry"], { error: "must be http_registry or oci_registry" }).optional(),
  credential_id: credentialIdSchema.optional(),
  sync_interval_seconds: intervalSchema.optional(),
});

/** The most registries one bulk create takes: 1,000 fit well under the 1 MiB body limit. */
export const maxBulkRegistries = 1_000;

const bulkCreateSchema = z.object({
  registries: z
    .array(createSchema, { error: "must be an array of registries" })
    .min(1, "must hold at least one registry")
    .max(maxBulkRegistries, `must hold at most ${maxBulkRegistries} registries; send more in several requests`),
});

const patchSchema = z.object({
  name: nameSchema.optional(),
  url: z.string({ error: "must be a URL" }).min(1, "must not be empty").optional(),
  credential_id: credentialIdSchema.optional(),
  sync_interval_seconds: intervalSchema.optional(),
});

/** /registries: list, get, create, patch, delete, manual sync and sync history. */
export function registryRoutes(context: ApiContext): Router {
  const { db } = context;
  const router = Router();

  router.get("/registries", async (req, res) => {
    res.json(await listRegistries(db, authOf(res).organizationId, parsePageRequest(req.query)));
  });

  router.get("/registries/:id", async (req, res) => {
    res.json(await getRegistry(db, authOf(res).organizationId, pathId(req.params.id, "registry")));
  });

  router.post("/registries", async (req, res) => {
    const { organizationId } = authOf(res);
    const body = parseBody(createSchema, req.body);
    const [id] = await createRegistries(context, organizationId, [body], (_, name) => name);
    res.status(201).location(`${req.baseUrl}/registries/${id}`).json(await getRegistry(db, organizationId, id!));
  });

  router.post("/registries/bulk", async (req, res) => {
    const { organizationId } = authOf(res);
    const body = parseBody(bulkCreateSchema, req.body);
    const ids = await createRegistries(context, organizationId, body.registries, (index, name) => `registries.${index}.${name}`);
    res.status(201).json({ registries: await getRegistries(db, organizationId, ids) });
  });

  router.patch("/registries/:id", async (req, res) => {
    const { organizationId } = authOf(res);
    const id = pathId(req.params.id, "registry");
    const kind = await registryKind(db, organizationId, id);
    const body = parseBody(patchSchema, req.body);
    const url = body.url === undefined ? undefined : normalizeRegistryUrl(body.url, kind).url;
    if (body.credential_id !== undefined) await assertCredentialUsable(db, organizationId, body.credential_id);
    await db.registries.update(organizationId, id, {
      ...(body.name === undefined ? {} : { name: body.name }),
      ...(url === undefined ? {} : { url }),
      ...(body.credential_id === undefined ? {} : { credentialId: body.credential_id }),
      ...(body.sync_interval_seconds === undefined ? {} : { syncIntervalSeconds: body.sync_interval_seconds }),
    });
    res.json(await getRegistry(db, organizationId, id));
  });

  router.delete("/registries/:id", async (req, res) => {
    await db.registries.delete(authOf(res).organizationId, pathId(req.params.id, "registry"));
    res.status(204).end();
  });

  router.post("/registries/:id/sync", async (req, res) => {
    const id = pathId(req.params.id, "registry");
    await registryKind(db, authOf(res).organizationId, id);
    const run = await requestSync(db, context.publisher, { registryId: id, trigger: "manual" });
    res.status(202).json({ sync_id: run.syncRunId, versions_retried: run.versionsRetried });
  });

  router.get("/registries/:id/syncs", async (req, res) => {
    const { organizationId } = authOf(res);
    const id = pathId(req.params.id, "registry");
    await registryKind(db, organizationId, id);
    res.json(await listSyncRuns(db, organizationId, id, parsePageRequest(req.query)));
  });

  return router;
}
