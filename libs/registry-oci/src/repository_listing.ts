import { CharthouseError, NotFoundError, TooLargeError, UnauthorizedError, UpstreamError } from "@charthouse/errors";
import { displayUrl } from "@charthouse/outbound-http";
import type { OciClientShared } from "./oci_client_shared.ts";
import { InsufficientScopeError } from "./registry_auth.ts";
import { parseJsonObject, readBody, readErrorText } from "./response_body.ts";
import type { SessionTransport } from "./session_transport.ts";

/** Where a repository listing came from. */
export type OciListingSource = "catalog" | "docker_hub" | "harbor";

/** A repository listing: full repository names under the registry root, sorted. */
export interface RepositoryListing {
  repositories: string[];
  via: OciListingSource;
}

const listingPageBytes = 16 * 1024 * 1024;
const limitSetting = "CHARTHOUSE_OCI_MAX_REPOSITORIES";
/** A namespace's catalog may page through this many times CHARTHOUSE_OCI_MAX_REPOSITORIES names of other namespaces. */
const catalogToNamespaceRatio = 10;

/**
 * Lists the repositories under `namespace`: Docker Hub's listing API for Docker Hub, Harbor's
 * project API for a Harbor, else `/v2/_catalog` filtered to the namespace.
 */
export async function listRepositories(session: SessionTransport, shared: OciClientShared, namespace: string): Promise<RepositoryListing> {
  const reference = session.reference;
  if (reference.dockerHub) return { repositories: await dockerHubRepositories(session, shared, namespace), via: "docker_hub" };
  if (namespace !== "" && (await isHarbor(session, shared))) {
    return { repositories: await harborRepositories(session, shared, namespace), via: "harbor" };
  }
  try {
    return { repositories: await catalogRepositories(session, shared, namespace), via: "catalog" };
  } catch (err) {
    if (!catalogRefused(err)) throw err;
    throw new CharthouseError(
      "listing_unavailable",
      `${reference.host} does not list its repositories (${err instanceof Error ? err.message : String(err)})`,
      {
        cause: err,
        solution: session.hasCredential
          ? `Add each chart repository by its own URL (oci://${reference.host}/${namespace === "" ? "" : `${namespace}/`}CHART), or use a credential allowed to list the registry's catalog`
          : `Add each chart repository by its own URL (oci://${reference.host}/${namespace === "" ? "" : `${namespace}/`}CHART), or add a credential allowed to list the registry's catalog`,
      },
    );
  }
}

/** `/v2/_catalog` with Link paging, filtered to the namespace. */
async function catalogRepositories(session: SessionTransport, shared: OciClientShared, namespace: string): Promise<string[]> {
  const found = new Set<string>();
  const listed = new Set<string>();
  const visited = new Set<string>();
  const prefix = namespace === "" ? "" : `${namespace}/`;
  let url: URL | undefined = new URL(`${session.reference.apiBase}/v2/_catalog?n=1000`);
  while (url !== undefined) {
    visited.add(url.href);
    const response = await session.send(url, {
      auth: { type: "registry", scope: "registry:catalog:*", repository: null },
      headers: { accept: "application/json" },
      maxBytes: listingPageBytes,
      limitSetting,
      accept: [400, 404, 405],
    });
    if (response.status !== 200) {
      const text = await readErrorText(response);
      throw new CatalogRefused(`GET ${displayUrl(url)} answered ${response.status}${text === "" ? "" : `: ${text}`}`);
    }
    const body = parseJsonObject(await readBody(response), `GET ${displayUrl(url)}`, response.status);
    if (body.repositories !== null && body.repositories !== undefined && !Array.isArray(body.repositories)) {
      throw new UpstreamError("registry_error", `GET ${displayUrl(url)} answered "repositories" that is not a list`, { status: 200 });
    }
    const before = listed.size;
    for (const name of body.repositories ?? []) {
      if (typeof name !== "string") continue;
      listed.add(name);
      if (prefix === "" || name.startsWith(prefix)) found.add(name);
    }
    capped(found.size, shared, session.reference.host);
    // The whole catalog is bounded too (other namespaces included): a catalog paging on forever ends.
    capped(Math.ceil(listed.size / catalogToNamespaceRatio), shared, `The catalog of ${session.reference.host}`);
    // Every page must name something new: a catalog that pages on with repeats is a loop.
    url = session.nextPage(response, visited, listed.size - before);
  }
  return [...found].sort();
}

class CatalogRefused extends Error {
  override name = "CatalogRefused";
}

/** True when the catalog is refused as such (not offered, or not to this login), not when the registry wants any credential. */
function catalogRefused(err: unknown): boolean {
  if (err instanceof CatalogRefused || err instanceof InsufficientScopeError) return true;
  // A 403 on the catalog alone (ACR, Harbor) says listing is not allowed, not that signing in failed.
  return err instanceof UnauthorizedError && err.message.includes("(403)");
}

/** Docker Hub's `GET /v2/namespaces/{ns}/repositories` (or the older `/v2/repositories/{ns}/`), keeping Helm repositories. */
async function dockerHubRepositories(session: SessionTransport, shared: OciClientShared, namespace: string): Promise<string[]> {
  if (namespace === "" || namespace.includes("/")) {
    throw new CharthouseError("listing_unavailable", `Docker Hub lists only the repositories of one namespace, not of "${namespace || "(the whole registry)"}"`, {
      solution: "Point the URL at a Docker Hub namespace (oci://registry-1.docker.io/NAMESPACE) or at one chart repository (oci://registry-1.docker.io/NAMESPACE/CHART)",
    });
  }
  const base = new URL(shared.dockerHubApiBase);
  const encoded = encodeURIComponent(namespace);
  for (const path of [`/v2/namespaces/${encoded}/repositories?page_size=100`, `/v2/repositories/${encoded}/?page_size=100`]) {
    const found = await dockerHubPages(session, shared, new URL(path, base), namespace);
    if (found !== null) return found;
  }
  throw new NotFoundError(`Docker Hub has no namespace "${namespace}"`, { solution: "Check the namespace in the URL" });
}

async function dockerHubPages(session: SessionTransport, shared: OciClientShared, first: URL, namespace: string): Promise<string[] | null> {
  const found = new Set<string>();
  const visited = new Set<string>();
  let url: URL | undefined = first;
  while (url !== undefined) {
    visited.add(url.href);
    const response = await session.send(url, {
      auth: { type: "none" },
      headers: { accept: "application/json" },
      maxBytes: listingPageBytes,
      limitSetting,
      accept: [404],
    });
    if (response.status === 404) {
      await readErrorText(response);
      if (url === first) return null;
      break;
    }
    const body = parseJsonObject(await readBody(response), `GET ${displayUrl(url)}`, response.status);
    if (!Array.isArray(body.results)) {
      throw new UpstreamError("registry_error", `GET ${displayUrl(url)} answered without a "results" list`, { status: 200 });
    }
    for (const result of body.results) {
      if (typeof result !== "object" || result === null) continue;
      const { name, content_types: contentTypes } = result as Record<string, unknown>;
      if (typeof name !== "string" || name === "") continue;
      // content_types tells Helm repositories from images where Docker Hub sends it.
      if (Array.isArray(contentTypes) && !contentTypes.includes("helm")) continue;
      found.add(`${namespace}/${name}`);
    }
    capped(found.size, shared, "Docker Hub");
    url = typeof body.next === "string" && body.next !== "" ? session.sameOrigin(new URL(body.next, url), url, visited) : undefined;
  }
  return [...found].sort();
}

/** Whether the registry is a Harbor: `/api/v2.0/systeminfo` answers its JSON (probed once per client). */
async function isHarbor(session: SessionTransport, shared: OciClientShared): Promise<boolean> {
  const apiBase = session.reference.apiBase;
  const known = shared.harbor.get(apiBase);
  if (known !== undefined) return known;
  const url = new URL(`${apiBase}/api/v2.0/systeminfo`);
  let harbor = false;
  try {
    const response = await session.send(url, {
      auth: { type: "none" },
      headers: { accept: "application/json" },
      maxBytes: 1024 * 1024,
      limitSetting: "the Harbor probe limit (1 MiB)",
      accept: [400, 404, 405, 406],
    });
    if (response.status === 200) {
      const body = await readBody(response);
      try {
        const info = JSON.parse(body.toString("utf8")) as unknown;
        // Harbor 2.13+ hides harbor_version from anonymous callers but still names auth_mode.
        harbor = typeof info === "object" && info !== null && ("harbor_version" in info || "auth_mode" in info);
      } catch {
        harbor = false;
      }
    } else {
      await readErrorText(response);
    }
  } catch (err) {
    // A registry that errs on an unknown path is simply not a Harbor; a host that is down is another matter.
    if (!(err instanceof UpstreamError || err instanceof UnauthorizedError)) throw err;
  }
  shared.harbor.set(apiBase, harbor);
  return harbor;
}

/** Harbor's `GET /api/v2.0/projects/{project}/repositories` with `page`/`page_size`, followed by Link or X-Total-Count. */
async function harborRepositories(session: SessionTransport, shared: OciClientShared, namespace: string): Promise<string[]> {
  const project = namespace.split("/")[0] ?? namespace;
  const prefix = `${namespace}/`;
  const found = new Set<string>();
  const visited = new Set<string>();
  const pageSize = 100;
  const pageUrl = (page: number): URL =>
    new URL(`${session.reference.apiBase}/api/v2.0/projects/${encodeURIComponent(project)}/repositories?page=${page}&page_size=${pageSize}`);
  let page = 1;
  let url: URL | undefined = pageUrl(page);
  while (url !== undefined) {
    visited.add(url.href);
    const response = await session.send(url, {
      auth: { type: "basic" },
      headers: { accept: "application/json" },
      maxBytes: listingPageBytes,
      limitSetting,
      accept: [404],
    });
    if (response.status === 404) {
      const text = await readErrorText(response);
      throw new NotFoundError(`Harbor project "${project}" does not exist on ${session.reference.host}${text === "" ? "" : ` (${text})`}`, {
        solution: "Check the project name in the URL",
      });
    }
    const text = (await readBody(response)).toString("utf8");
    let items: unknown;
    try {
      items = JSON.parse(text);
    } catch (err) {
      throw new UpstreamError("registry_error", `GET ${displayUrl(url)} did not answer JSON`, { status: 200, cause: err });
    }
    if (!Array.isArray(items)) throw new UpstreamError("registry_error", `GET ${displayUrl(url)} answered JSON that is not a list`, { status: 200 });
    for (const item of items) {
      const name = typeof item === "object" && item !== null ? (item as Record<string, unknown>).name : undefined;
      if (typeof name === "string" && name.startsWith(prefix)) found.add(name);
    }
    capped(found.size, shared, session.reference.host);
    const linked = session.nextPage(response, visited, items.length);
    if (linked !== undefined) {
      url = linked;
      continue;
    }
    const total = Number(response.headers["x-total-count"]);
    const more = response.headers.link === undefined && (Number.isFinite(total) ? page * pageSize < total : items.length === pageSize);
    page++;
    url = more ? pageUrl(page) : undefined;
    if (url !== undefined && visited.has(url.href)) url = undefined;
  }
  return [...found].sort();
}

function capped(count: number, shared: OciClientShared, where: string): void {
  if (count > shared.limits.maxRepositories) {
    throw new TooLargeError(`${where} lists more than ${shared.limits.maxRepositories} repositories (${limitSetting})`, { setting: limitSetting });
  }
}
