import type { IncomingHttpHeaders } from "node:http";
import { sendJson, startLocalHttp } from "./local_http.ts";
import type { BasicCredentials } from "./htpasswd.ts";

/** A Harbor project of the stand-in. */
export interface HarborProjectFixture {
  /** Public projects are listed to anonymous users; private ones need a member. */
  public: boolean;
  /** Repository names inside the project, without the project (`nginx`, `team/redis`). */
  repositories: readonly string[];
  /** Users who are members (see {@link StartHarborApiServerOptions.users}). */
  members?: readonly string[];
}

/** Options of {@link startHarborApiServer}. */
export interface StartHarborApiServerOptions {
  projects: Readonly<Record<string, HarborProjectFixture>>;
  /** Users Basic auth accepts. */
  users?: readonly BasicCredentials[];
  /** `harbor_version` of systeminfo; Harbor 2.13+ hides it from anonymous users (an empty string). */
  harborVersion?: string;
  /** Leave out the `Link` header (only `X-Total-Count` tells the page count). */
  withoutLink?: boolean;
}

/** A local server that answers as Harbor's v2.0 API is documented to. */
export interface HarborApiServer {
  /** `http://127.0.0.1:PORT`, the Harbor's address (its registry API would live under /v2/). */
  url: string;
  /** Every request received: path with query, and headers. */
  requests: { path: string; headers: IncomingHttpHeaders }[];
  stop(): Promise<void>;
}

/**
 * Starts a stand-in for Harbor's API: `GET /api/v2.0/systeminfo` and
 * `GET /api/v2.0/projects/{project_name}/repositories?page=&page_size=` (page from 1,
 * page_size default 10, at most 100) answering an array of `{ id, project_id, name:
 * "project/repo", ... }` with `X-Total-Count` and a relative `Link` (`rel="prev"`, `rel="next"`);
 * Harbor's `{ errors: [{ code, message }] }` for 401, 403 and 404. `/v2/_catalog` is refused as
 * Harbor refuses it to anyone but a system administrator.
 */
export async function startHarborApiServer(options: StartHarborApiServerOptions): Promise<HarborApiServer> {
  const requests: HarborApiServer["requests"] = [];
  let origin = "";
  const ids = new Map<string, number>();
  const idOf = (name: string): number => {
    const known = ids.get(name);
    if (known !== undefined) return known;
    ids.set(name, ids.size + 1);
    return ids.size;
  };
  const server = await startLocalHttp((req, res) => {
    requests.push({ path: req.url ?? "", headers: req.headers });
    const url = new URL(req.url ?? "/", origin);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}): void => sendJson(res, status, body, headers);
    const failure = (status: number, code: string, message: string): void => send(status, { errors: [{ code, message }] });
    const user = signedIn(req.headers.authorization, options.users ?? []);
    if (user === false) return failure(401, "UNAUTHORIZED", "invalid credentials");

    if (url.pathname === "/api/v2.0/systeminfo") {
      return send(200, {
        auth_mode: "db_auth",
        banner_message: "",
        harbor_version: user === null ? (options.harborVersion ?? "") : (options.harborVersion ?? "v2.13.1-d36b7f5a"),
        oidc_provider_name: "",
        primary_auth_mode: false,
        self_registration: false,
      });
    }
    if (url.pathname === "/v2/_catalog") {
      return send(401, { errors: [{ code: "UNAUTHORIZED", message: "unauthorized to list catalog" }] }, { "www-authenticate": `Basic realm="${origin}"` });
    }
    const match = /^\/api\/v2\.0\/projects\/([^/]+)\/repositories$/.exec(url.pathname);
    if (req.method !== "GET" || match === null) return failure(404, "NOT_FOUND", "not found");
    const projectName = decodeURIComponent(match[1] ?? "");
    const project = options.projects[projectName];
    if (project === undefined) return failure(404, "NOT_FOUND", `project ${projectName} not found`);
    if (!project.public) {
      if (user === null) return failure(401, "UNAUTHORIZED", "unauthorized");
      if (!(project.members ?? []).includes(user)) return failure(403, "FORBIDDEN", "forbidden");
    }
    const page = Number(url.searchParams.get("page") ?? "1");
    const pageSize = Number(url.searchParams.get("page_size") ?? "10");
    if (!Number.isInteger(page) || page < 1 || !Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) {
      return failure(400, "BAD_REQUEST", "invalid page or page_size");
    }
    const all = project.repositories.map((name) => `${projectName}/${name}`);
    const slice = all.slice((page - 1) * pageSize, page * pageSize);
    const links: string[] = [];
    const pageLink = (n: number, rel: string): string =>
      `<${url.pathname}?page=${n}&page_size=${pageSize}>; rel="${rel}"`;
    if (page > 1) links.push(pageLink(page - 1, "prev"));
    if (page * pageSize < all.length) links.push(pageLink(page + 1, "next"));
    const headers: Record<string, string> = { "x-total-count": String(all.length) };
    if (links.length > 0 && options.withoutLink !== true) headers.link = links.join(" , ");
    send(
      200,
      slice.map((name) => ({
        id: idOf(name),
        project_id: 1,
        name,
        description: "",
        artifact_count: 1,
        pull_count: 0,
        creation_time: "2025-01-01T00:00:00.000Z",
        update_time: "2025-01-01T00:00:00.000Z",
      })),
      headers,
    );
  });
  origin = server.origin;
  return { url: origin, requests, stop: server.close };
}

/** The signed-in user, null for anonymous, false for a refused sign-in. */
function signedIn(header: string | undefined, users: readonly BasicCredentials[]): string | null | false {
  if (header === undefined) return null;
  if (!/^basic /i.test(header)) return false;
  const decoded = Buffer.from(header.slice(6).trim(), "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  const username = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  return users.some((user) => user.username === username && user.password === password) ? username : false;
}
