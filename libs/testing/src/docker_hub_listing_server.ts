import type { IncomingHttpHeaders } from "node:http";
import { sendJson, startLocalHttp } from "./local_http.ts";

/** A repository as Docker Hub's listing API describes it (the fields a client reads). */
export interface DockerHubRepositoryFixture {
  name: string;
  /** `content_types` of the repository (`["helm"]`, `["image"]`); omitted from the answer when undefined. */
  contentTypes?: string[];
  /** `repository_type`: "image" by default (Docker Hub says "image" for Helm repositories too). */
  repositoryType?: string | null;
  isPrivate?: boolean;
}

/** Options of {@link startDockerHubListingServer}. */
export interface StartDockerHubListingServerOptions {
  /** Repositories per namespace. */
  namespaces: Readonly<Record<string, readonly DockerHubRepositoryFixture[]>>;
  /** Answer the new `/v2/namespaces/{ns}/repositories` with 404, as Docker Hub did before mid-2025. */
  withoutNamespacesEndpoint?: boolean;
}

/** A local server that answers as Docker Hub's repository listing API (hub.docker.com) is documented to. */
export interface DockerHubListingServer {
  /** `http://127.0.0.1:PORT`, the stand-in for `https://hub.docker.com`. */
  url: string;
  /** Every request received: path with query, and headers. */
  requests: { path: string; headers: IncomingHttpHeaders }[];
  stop(): Promise<void>;
}

/**
 * Starts a stand-in for Docker Hub's listing API: `GET /v2/namespaces/{namespace}/repositories`
 * (and the older `GET /v2/repositories/{namespace}/`) with `page` (from 1) and `page_size`
 * (default 10, at most 1000), answering `{ count, next, previous, results }` where `next` and
 * `previous` are absolute URLs or null, and 404 `{ message, errinfo }` for unknown namespaces.
 */
export async function startDockerHubListingServer(options: StartDockerHubListingServerOptions): Promise<DockerHubListingServer> {
  const requests: DockerHubListingServer["requests"] = [];
  let origin = "";
  const server = await startLocalHttp((req, res) => {
    requests.push({ path: req.url ?? "", headers: req.headers });
    const url = new URL(req.url ?? "/", origin);
    const send = (status: number, body: unknown): void => sendJson(res, status, body);
    const current = /^\/v2\/namespaces\/([^/]+)\/repositories\/?$/.exec(url.pathname);
    const legacy = /^\/v2\/repositories\/([^/]+)\/?$/.exec(url.pathname);
    const match = options.withoutNamespacesEndpoint === true ? legacy : (current ?? legacy);
    if (req.method !== "GET" || match === null) return send(404, { message: "page not found", errinfo: {} });
    const namespace = decodeURIComponent(match[1] ?? "");
    const repositories = options.namespaces[namespace];
    if (repositories === undefined) {
      return send(404, { message: `namespace '${namespace}' not found`, errinfo: { namespace } });
    }
    const page = Number(url.searchParams.get("page") ?? "1");
    const pageSize = Number(url.searchParams.get("page_size") ?? "10");
    if (!Number.isInteger(page) || page < 1 || !Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) {
      return send(400, { message: "invalid page or page_size", errinfo: {} });
    }
    const visible = repositories.filter((repository) => repository.isPrivate !== true);
    const slice = visible.slice((page - 1) * pageSize, page * pageSize);
    if (slice.length === 0 && page > 1) return send(404, { message: "That page contains no results", errinfo: {} });
    const pageUrl = (n: number): string => {
      const next = new URL(url.pathname, origin);
      next.searchParams.set("page", String(n));
      next.searchParams.set("page_size", String(pageSize));
      return next.href;
    };
    send(200, {
      count: visible.length,
      next: page * pageSize < visible.length ? pageUrl(page + 1) : null,
      previous: page > 1 ? pageUrl(page - 1) : null,
      results: slice.map((repository) => ({
        name: repository.name,
        namespace,
        repository_type: repository.repositoryType === undefined ? "image" : repository.repositoryType,
        status: 1,
        status_description: "active",
        description: "",
        is_private: false,
        star_count: 0,
        pull_count: 0,
        last_updated: "2025-01-01T00:00:00.000000Z",
        last_modified: "2025-01-01T00:00:00.000000Z",
        date_registered: "2024-01-01T00:00:00.000000Z",
        affiliation: "",
        media_types: [],
        ...(repository.contentTypes === undefined ? {} : { content_types: repository.contentTypes }),
        categories: [],
        storage_size: 0,
      })),
    });
  });
  origin = server.origin;
  return { url: origin, requests, stop: server.close };
}
