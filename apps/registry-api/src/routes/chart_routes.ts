import { Router, type Request } from "express";
import type { VersionFile, VersionRef } from "@charthouse/db";
import { NotFoundError } from "@charthouse/errors";
import type { ApiContext } from "../api_context.ts";
import { authOf } from "../auth.ts";
import { parsePageRequest, single } from "../pagination.ts";
import { isUuid, pathId } from "../path_ids.ts";
import { getChart, listCharts } from "../queries/chart_queries.ts";
import { registryKind } from "../queries/registry_queries.ts";
import { getArchiveDigest, getVersionFile } from "../queries/version_file_queries.ts";
import { getVersionDetail, listVersions } from "../queries/version_queries.ts";

const fileTypes: Record<VersionFile, string> = {
  readme: "text/markdown; charset=utf-8",
  values: "application/yaml; charset=utf-8",
  schema: "application/schema+json; charset=utf-8",
};

const versionPath = "/registries/:id/charts/:name/versions/:version";

/** Charts and chart versions: lists, details, and the files read from their archives. */
export function chartRoutes(context: ApiContext): Router {
  const { db } = context;
  const router = Router();

  router.get("/charts", async (req, res) => {
    const { organizationId } = authOf(res);
    const registryId = single(req.query["registry_id"], "registry_id");
    const q = single(req.query["q"], "q");
    if (registryId !== undefined && registryId !== "") {
      if (!isUuid(registryId)) throw new NotFoundError(`No registry with id "${registryId}"`);
      await registryKind(db, organizationId, registryId);
    }
    const filter = {
      ...(registryId === undefined || registryId === "" ? {} : { registryId: registryId.toLowerCase() }),
      ...(q === undefined ? {} : { q }),
    };
    res.json(await listCharts(db, organizationId, filter, parsePageRequest(req.query)));
  });

  router.get("/registries/:id/charts", async (req, res) => {
    const { organizationId } = authOf(res);
    const registryId = pathId(req.params.id, "registry");
    await registryKind(db, organizationId, registryId);
    res.json(await listCharts(db, organizationId, { registryId }, parsePageRequest(req.query)));
  });

  router.get("/registries/:id/charts/:name", async (req, res) => {
    res.json(await getChart(db, authOf(res).organizationId, pathId(req.params.id, "registry"), req.params.name));
  });

  router.get("/registries/:id/charts/:name/versions", async (req, res) => {
    const chart = { registryId: pathId(req.params.id, "registry"), name: req.params.name };
    res.json(await listVersions(db, authOf(res).organizationId, chart, parsePageRequest(req.query)));
  });

  router.get(versionPath, async (req, res) => {
    res.json(await getVersionDetail(db, authOf(res).organizationId, versionRef(req)));
  });

  for (const file of ["readme", "values", "schema"] as const) {
    router.get(`${versionPath}/${file}`, async (req, res) => {
      const content = await getVersionFile(db, authOf(res).organizationId, versionRef(req), file);
      res.status(200).type(fileTypes[file]).send(content);
    });
  }

  router.get(`${versionPath}/archive`, async (req, res) => {
    const ref = versionRef(req);
    const sha256 = await getArchiveDigest(db, authOf(res).organizationId, ref);
    const bytes = await context.archives.get(sha256);
    if (bytes === null) {
      throw new NotFoundError(`The archive of version "${ref.version}" of chart "${ref.chart}" is not in the archive store`, {
        code: "not_extracted",
        solution: "Sync the registry again to download it",
      });
    }
    res
      .status(200)
      .type("application/gzip")
      .set("Content-Disposition", `attachment; filename="${safeFileName(`${ref.chart}-${ref.version}.tgz`)}"`)
      .set("Digest", `sha-256=${Buffer.from(sha256, "hex").toString("base64")}`)
      .send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  });

  return router;
}

/** The version a `.../versions/:version` route names (its registry id checked as a UUID). */
export function versionRef(req: Request): VersionRef {
  const params = req.params as Record<string, string | undefined>;
  return { registryId: pathId(params["id"], "registry"), chart: params["name"] ?? "", version: params["version"] ?? "" };
}

function safeFileName(name: string): string {
  return name.replace(/[^A-Za-z0-9._+-]/g, "_");
}
