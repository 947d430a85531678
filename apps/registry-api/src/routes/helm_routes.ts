import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { Router, type Request, type Response } from "express";
import { NotFoundError } from "@charthouse/errors";
import type { ArchiveStore } from "@charthouse/messaging";
import type { HelmIndexRepository } from "@charthouse/db";
import { authOf } from "../auth.ts";
import type { HelmIndexBytes, HelmIndexService } from "../helm_index_service.ts";

/** Which form of the index a client gets. */
export type HelmIndexForm = "yaml" | "json";

/** What the Helm repository routes read through. */
export interface HelmRouteDependencies {
  indexes: HelmIndexService;
  archives: Pick<HelmIndexRepository, "findArchive">;
  archiveStore: Pick<ArchiveStore, "get">;
  /** The form helm itself (User-Agent `Helm/...`) gets when it asks for neither: the one it loads faster. */
  helmForm: HelmIndexForm;
}

const mediaTypes: Record<HelmIndexForm, string> = {
  yaml: "application/yaml; charset=utf-8",
  json: "application/json; charset=utf-8",
};

/**
 * Every registry of the token's organisation served back as a Helm repository:
 * `GET /{registry-name}/index.yaml` (the stored index: strong ETag, 304 on If-None-Match, gzip
 * when accepted, JSON when asked for) and `GET /{registry-name}/charts/{name}-{version}.tgz` (the
 * stored archive's exact bytes). Mounted at /helm behind authenticateHelmClient.
 */
export function helmRoutes(deps: HelmRouteDependencies): Router {
  const router = Router();

  router.get("/:registry/index.yaml", async (req, res) => {
    const { organizationId } = authOf(res);
    const current = await deps.indexes.current(organizationId, req.params.registry);
    const form = chosenForm(req, deps.helmForm);
    const gzip = req.acceptsEncodings("gzip", "identity") === "gzip";
    res.set("Vary", "Accept, Accept-Encoding, User-Agent");
    res.set("Cache-Control", "private, no-cache");
    if (matchesEtag(req.get("if-none-match"), etagOf(current.etag, form, gzip))) {
      res.set("ETag", etagOf(current.etag, form, gzip)).status(304).end();
      return;
    }
    const bytes = await deps.indexes.bytes(current);
    await sendIndex(req, res, bytes, { form, gzip, versionCount: current.versionCount });
  });

  router.get("/:registry/charts/:file", async (req, res) => {
    const { organizationId } = authOf(res);
    const file = req.params.file;
    const name = file.endsWith(".tgz") ? file.slice(0, -".tgz".length) : "";
    const sha256 = name === "" ? null : await deps.archives.findArchive(organizationId, req.params.registry, name);
    if (sha256 === null) {
      throw new NotFoundError(`Registry "${req.params.registry}" has no ready chart archive "${file}"`, {
        solution: "Run helm repo update: the index lists every archive this repository serves",
      });
    }
    const bytes = await deps.archiveStore.get(sha256);
    if (bytes === null) {
      throw new NotFoundError(`The archive "${file}" is not in the archive store`, {
        code: "not_extracted",
        solution: "Sync the registry again to download it",
      });
    }
    res
      .status(200)
      .type("application/gzip")
      .set("ETag", `"${sha256}"`)
      .set("Digest", `sha-256=${Buffer.from(sha256, "hex").toString("base64")}`)
      .set("Cache-Control", "private, max-age=31536000, immutable")
      .send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  });

  return router;
}

async function sendIndex(
  req: Request,
  res: Response,
  bytes: HelmIndexBytes,
  options: { form: HelmIndexForm; gzip: boolean; versionCount: number },
): Promise<void> {
  const compressed = options.form === "json" ? bytes.jsonGzip : bytes.yamlGzip;
  res.status(200).type(mediaTypes[options.form]).set("ETag", etagOf(bytes.etag, options.form, options.gzip));
  res.set("X-Charthouse-Versions", String(options.versionCount));
  if (options.gzip) res.set("Content-Encoding", "gzip").set("Content-Length", String(compressed.byteLength));
  else res.set("Content-Length", String(options.form === "json" ? bytes.jsonBytes : bytes.yamlBytes));
  if (req.method === "HEAD") {
    res.end();
    return;
  }
  // Views of the one shared buffer, sent as the client reads them: no request copies the index,
  // and one that is not gzipped is decompressed as it is sent, a slice at a time.
  const slices = Readable.from(slicesOf(compressed, 64 * 1024), { objectMode: false });
  if (options.gzip) await pipeline(slices, res);
  else await pipeline(slices, createGunzip(), res);
}

/** Consecutive views (not copies) of `bytes`, `size` bytes each. */
function* slicesOf(bytes: Buffer, size: number): Generator<Buffer> {
  for (let offset = 0; offset < bytes.byteLength; offset += size) yield bytes.subarray(offset, offset + size);
}

/** JSON when the client asks for application/json (over YAML); helm gets `helmForm`; everyone else YAML. */
export function chosenForm(req: Request, helmForm: HelmIndexForm): HelmIndexForm {
  const accept = req.get("accept");
  if (accept !== undefined && /application\/json/i.test(accept)) {
    return req.accepts(["application/json", "application/yaml", "application/x-yaml", "text/yaml"]) === "application/json" ? "json" : "yaml";
  }
  return /^Helm\//.test(req.get("user-agent") ?? "") ? helmForm : "yaml";
}

/** The strong ETag of one representation: the index's hash, its form and its coding. */
export function etagOf(etag: string, form: HelmIndexForm, gzip: boolean): string {
  return `"${etag}-${form}${gzip ? "-gz" : ""}"`;
}

/** Whether an If-None-Match header names `etag` (or is `*`). */
export function matchesEtag(header: string | undefined, etag: string): boolean {
  if (header === undefined || header.length > 8_192) return false;
  return header.split(",").some((candidate) => {
    const tag = candidate.trim();
    return tag === "*" || tag === etag || tag === `W/${etag}`;
  });
}
