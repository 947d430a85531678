import { InputError, IntegrityError, NotFoundError, storableJson, TooLargeError, UpstreamError } from "@charthouse/errors";
import type { SealedCredentialRow } from "@charthouse/credentials";
import { displayUrl, registryStream, type RegistryStreamResponse } from "@charthouse/outbound-http";
import { digestOf, isContentDigest } from "./content_digest.ts";
import { nextLink } from "./link_header.ts";
import { manifestAccept } from "./media_types.ts";
import type { OciClientShared } from "./oci_client_shared.ts";
import { parseOciManifest, type OciChartManifest } from "./oci_manifest.ts";
import type { OciReference } from "./oci_reference.ts";
import { SessionAuth, type AuthAttempts } from "./registry_auth.ts";
import { listRepositories, type OciListingSource } from "./repository_listing.ts";
import { distributionErrorCode, parseJsonObject, readBody, readErrorText } from "./response_body.ts";
import type { SessionTransport, TransportRequest } from "./session_transport.ts";
import { requestRegistryToken } from "./token_endpoint.ts";

/** Options of {@link OciSession.manifest}. */
export interface OciManifestOptions {
  /** The tag came from the repository's tag list: a 404 is then `tag_not_found`, not `manifest_unknown`. */
  listed?: boolean;
}

/** Requests to one registry with one credential. */
export interface OciSession {
  /** Every tag of a repository (Link paging followed, null tags = [], sorted). null when the repository does not exist (404). */
  listTags(repository: string): Promise<string[] | null>;
  /**
   * Chart repositories under a namespace path ("" = whole registry): Docker Hub's listing API,
   * Harbor's project repositories API, else /v2/_catalog filtered to the namespace. Throws
   * `listing_unavailable` when the registry offers no listing.
   */
  listRepositories(namespace: string): Promise<{ repositories: string[]; via: OciListingSource }>;
  /** GETs the manifest of a tag with the right Accept header and verifies its digest. */
  manifest(repository: string, tag: string, options?: OciManifestOptions): Promise<OciChartManifest>;
  /** HEADs the manifest: its digest (Docker-Content-Digest), for re-push detection; null on 404. */
  manifestDigest(repository: string, tag: string): Promise<string | null>;
  /** The chart's config blob (Chart.yaml as JSON), size-capped and digest-verified. */
  chartConfig(repository: string, configDigest: string): Promise<Record<string, unknown>>;
  /** Streams a blob (the chart layer), following redirects without credentials; the caller hashes and verifies. */
  openBlob(repository: string, digest: string, options: { maxBytes: number; limitSetting: string }): Promise<RegistryStreamResponse>;
  /** How many times this session's requests waited for a rate-limited host (record `rate_limited` when > 0). */
  readonly rateLimitWaits: number;
}

// The distribution spec's repository name: path components joined by "/".
const repositoryName = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const tagPattern = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
/** Most 401 answers one request retries after (scheme learnt, token or login renewed); a bound against registries that flip. */
const maxUnauthorizedAnswers = 3;
/** Most 429 answers one request sits out before it gives up with `rate_limited`. */
const maxRateLimitedAnswers = 5;
/** Cap of one page of a tag list (names are at most 128 characters). */
const maxListPageBytes = 32 * 1024 * 1024;

/** A session: requests to one registry with one credential (see OciSession). */
export class OciRegistrySession implements OciSession, SessionTransport {
  readonly #shared: OciClientShared;
  readonly #reference: OciReference;
  readonly #auth: SessionAuth;
  #rateLimitWaits = 0;

  constructor(shared: OciClientShared, reference: OciReference, credential: SealedCredentialRow | null) {
    this.#shared = shared;
    this.#reference = reference;
    this.#auth = new SessionAuth({
      apiBase: reference.apiBase,
      credential,
      logins: shared.access.logins,
      tokens: shared.tokens,
      schemes: shared.schemes,
      fetchToken: (realm, scope, login) =>
        requestRegistryToken(realm, scope, login, {
          request: shared.access.request,
          guard: (origin, fn) => this.#guarded(origin, fn),
          signal: shared.signal,
          now: Date.now,
        }),
    });
  }

  get rateLimitWaits(): number {
    return this.#rateLimitWaits;
  }

  /** The registry this session talks to. */
  get reference(): OciReference {
    return this.#reference;
  }

  /** True when the session signs in with a credential. */
  get hasCredential(): boolean {
    return this.#auth.hasCredential;
  }

  /** The session's login (for APIs beside the registry's, like Harbor's). */
  login(): ReturnType<SessionAuth["login"]> {
    return this.#auth.login();
  }

  async listTags(repository: string): Promise<string[] | null> {
    assertRepository(repository);
    const tags = new Set<string>();
    const visited = new Set<string>();
    let url: URL | undefined = this.#url(`/v2/${repository}/tags/list`);
    while (url !== undefined) {
      visited.add(url.href);
      const response = await this.send(url, {
        auth: { type: "registry", scope: pullScope(repository), repository },
        maxBytes: maxListPageBytes,
        limitSetting: "CHARTHOUSE_OCI_MAX_TAGS",
        accept: [404],
        headers: { accept: "application/json" },
      });
      if (response.status === 404) {
        const text = await readErrorText(response);
        if (tags.size === 0) return null;
        throw new UpstreamError("registry_error", `The tag list of ${repository} vanished while it was paged (${text || "404"})`, { status: 404 });
      }
      const body = parseJsonObject(await readBody(response), `GET ${displayUrl(url)}`, response.status);
      const page = body.tags;
      if (page !== null && page !== undefined && !Array.isArray(page)) {
        throw new UpstreamError("registry_error", `GET ${displayUrl(url)} answered "tags" that is not a list`, { status: response.status });
      }
      const before = tags.size;
      for (const tag of page ?? []) if (typeof tag === "string") tags.add(tag);
      if (tags.size > this.#shared.limits.maxTags) {
        throw new TooLargeError(`${repository} has more than ${this.#shared.limits.maxTags} tags (CHARTHOUSE_OCI_MAX_TAGS)`, {
          setting: "CHARTHOUSE_OCI_MAX_TAGS",
        });
      }
      url = this.nextPage(response, visited, tags.size - before);
    }
    return [...tags].sort();
  }

  listRepositories(namespace: string): Promise<{ repositories: string[]; via: OciListingSource }> {
    if (namespace !== "") assertRepository(namespace);
    return listRepositories(this, this.#shared, namespace);
  }

  async manifest(repository: string, tag: string, options: OciManifestOptions = {}): Promise<OciChartManifest> {
    assertRepository(repository);
    assertTag(tag);
    const url = this.#url(`/v2/${repository}/manifests/${tag}`);
    const response = await this.send(url, {
      auth: { type: "registry", scope: pullScope(repository), repository },
      headers: { accept: manifestAccept },
      maxBytes: this.#shared.limits.maxManifestBytes,
      limitSetting: "CHARTHOUSE_OCI_MAX_MANIFEST_BYTES",
      accept: [404],
    });
    if (response.status === 404) throw manifestMissing(repository, tag, await readErrorText(response), options.listed === true);
    const body = await readBody(response);
    const digest = verifiedDigest(body, response.headers["docker-content-digest"], `the manifest of ${repository}:${tag}`);
    return parseOciManifest(body, digest, `${repository}:${tag}`, response.headers["content-type"]);
  }

  async manifestDigest(repository: string, tag: string): Promise<string | null> {
    assertRepository(repository);
    assertTag(tag);
    const url = this.#url(`/v2/${repository}/manifests/${tag}`);
    const response = await this.send(url, {
      method: "HEAD",
      auth: { type: "registry", scope: pullScope(repository), repository },
      headers: { accept: manifestAccept },
      maxBytes: this.#shared.limits.maxManifestBytes,
      limitSetting: "CHARTHOUSE_OCI_MAX_MANIFEST_BYTES",
      accept: [404],
    });
    response.cancel();
    if (response.status === 404) return null;
    const digest = response.headers["docker-content-digest"]?.trim();
    if (digest !== undefined && isContentDigest(digest)) return digest;
    // Registries without Docker-Content-Digest on HEAD: the digest of the manifest's bytes.
    return (await this.manifest(repository, tag)).digest;
  }

  async chartConfig(repository: string, configDigest: string): Promise<Record<string, unknown>> {
    assertRepository(repository);
    assertDigest(configDigest);
    const response = await this.#blob(repository, configDigest, this.#shared.limits.maxConfigBytes, "CHARTHOUSE_OCI_MAX_CONFIG_BYTES");
    const body = await readBody(response);
    const actual = digestOf(body, configDigest);
    if (actual !== configDigest) {
      throw new IntegrityError(`The config blob ${configDigest} of ${repository} has the digest ${actual}`, {
        solution: "The registry serves a different config than its manifest names; push the chart again",
      });
    }
    // Chart.yaml as JSON goes to jsonb: NUL and unpaired surrogates cannot be stored there.
    return storableJson(parseJsonObject(body, `The config blob ${configDigest} of ${repository}`, response.status));
  }

  openBlob(repository: string, digest: string, options: { maxBytes: number; limitSetting: string }): Promise<RegistryStreamResponse> {
    assertRepository(repository);
    assertDigest(digest);
    return this.#blob(repository, digest, options.maxBytes, options.limitSetting);
  }

  async #blob(repository: string, digest: string, maxBytes: number, limitSetting: string): Promise<RegistryStreamResponse> {
    const url = this.#url(`/v2/${repository}/blobs/${digest}`);
    const response = await this.send(url, {
      auth: { type: "registry", scope: pullScope(repository), repository },
      maxBytes,
      limitSetting,
      accept: [404],
    });
    if (response.status === 404) {
      const text = await readErrorText(response);
      throw new NotFoundError(`The blob ${digest} of ${repository} is not in the registry (404${text === "" ? "" : `: ${text}`})`, {
        code: "manifest_unknown",
        solution: "The registry lists the chart but lacks its content; push the chart again",
      });
    }
    return response;
  }

  /**
   * Sends one request: waits out the host's rate limit, signs in as the registry asks (retrying
   * once after a 401 with a fresh token or login), and maps 401, 403 and repeated 429s to errors.
   */
  async send(url: URL, request: TransportRequest): Promise<RegistryStreamResponse> {
    const attempts: AuthAttempts = { tokenRefreshed: false, loginForgotten: false };
    const method = request.method ?? "GET";
    const what = `${method} ${displayUrl(url)}`;
    let unauthorized = 0;
    for (let rateLimited = 0; ; ) {
      const sent =
        request.auth.type === "registry"
          ? await this.#auth.authorization(request.auth.scope)
          : { header: request.auth.type === "basic" ? await this.#basicHeader() : undefined, token: undefined };
      const response = await this.#guarded(url.origin, () =>
        registryStream(url, {
          method,
          ...(request.headers === undefined ? {} : { headers: request.headers }),
          ...(sent.header === undefined ? {} : { auth: sent.header, authOrigin: url.origin }),
          maxBytes: request.maxBytes,
          limitSetting: request.limitSetting,
          timeoutMs: this.#shared.access.request.timeoutMs,
          bodyTimeoutMs: this.#shared.access.request.bodyTimeoutMs,
          ...(this.#shared.access.request.deadlineMs === undefined ? {} : { deadlineMs: this.#shared.access.request.deadlineMs }),
          blockPrivateNetworks: this.#shared.access.request.blockPrivateNetworks,
          acceptStatuses: [200, ...(request.accept ?? []), 401, 403, 429],
          ...(this.#shared.signal === undefined ? {} : { signal: this.#shared.signal }),
        }),
      );
      this.#shared.rateLimits.observe(url.origin, response.status, response.headers);
      if (response.status === 429) {
        response.cancel();
        rateLimited++;
        if (rateLimited >= maxRateLimitedAnswers) {
          const wait = this.#shared.rateLimits.waitFor(url.origin);
          throw new UpstreamError("rate_limited", `${what} was rate limited (429) ${rateLimited} times in a row`, { status: 429, retryAfterMs: wait });
        }
        continue;
      }
      if (response.status === 401 || response.status === 403) {
        const registryMessage = await readErrorText(response);
        const context = { request: what, repository: request.auth.type === "registry" ? request.auth.repository : null, registryMessage };
        if (response.status === 403 || request.auth.type !== "registry" || ++unauthorized > maxUnauthorizedAnswers) {
          throw this.#auth.refusal(context, `the registry refused access (${response.status})`);
        }
        await this.#auth.onUnauthorized(response.headers["www-authenticate"], sent, attempts, context);
        continue;
      }
      return response;
    }
  }

  /**
   * The next page of a listing (Link rel="next"), kept on the registry's origin; undefined at the
   * end. A page that added nothing new (`added`) yet links onward is a paging loop: registry_error.
   */
  nextPage(response: RegistryStreamResponse, visited: Set<string>, added: number): URL | undefined {
    const next = nextLink(response.headers.link, response.url);
    if (next === undefined) return undefined;
    const target = this.sameOrigin(next, new URL(response.url), visited);
    if (target !== undefined && added === 0) throw pagingLoop(response.url, target);
    return target;
  }

  /**
   * A paging URL moved onto `base`'s origin: a proxy that rewrites only the scheme (http links
   * behind a TLS proxy) is followed; another host is refused, and a page seen before ends the loop.
   */
  sameOrigin(next: URL, base: URL, visited: Set<string>): URL | undefined {
    let target = next;
    if (next.origin !== base.origin) {
      if (next.host !== base.host) {
        throw new UpstreamError("registry_error", `${displayUrl(base)} pages to another host (${displayUrl(next)}), which is not followed`, {
          status: 200,
          solution: "The registry's paging links point elsewhere; check its external URL setting",
        });
      }
      target = new URL(`${next.pathname}${next.search}`, base.origin);
    }
    if (visited.has(target.href)) throw pagingLoop(base.href, target);
    return target;
  }

  async #basicHeader(): Promise<string | undefined> {
    const login = await this.#auth.login();
    if (login?.type !== "basic") return undefined;
    return `Basic ${Buffer.from(`${login.username}:${login.password}`).toString("base64")}`;
  }

  /** Runs one request to `origin` under its rate limit and circuit breaker. */
  async #guarded<T>(origin: string, fn: () => Promise<T>): Promise<T> {
    if (await this.#shared.rateLimits.beforeRequest(origin, this.#shared.signal)) this.#rateLimitWaits++;
    return await this.#shared.access.breakers.run(origin, fn);
  }

  #url(path: string): URL {
    return new URL(`${this.#reference.apiBase}${path}`);
  }
}

/** A listing whose pages link back to a page already read, or onward from a page that added nothing. */
function pagingLoop(from: string, to: URL): UpstreamError {
  return new UpstreamError("registry_error", `${displayUrl(from)} pages in a loop: its next page ${displayUrl(to)} adds nothing new`, {
    status: 200,
    solution: "The registry's Link paging never ends; check the registry (or the proxy in front of it)",
  });
}

function pullScope(repository: string): string {
  return `repository:${repository}:pull`;
}

function manifestMissing(repository: string, tag: string, text: string, listed: boolean): NotFoundError {
  const code = distributionErrorCode(text);
  const said = text === "" ? {} : { cause: `Registry said: ${text}` };
  if (listed) {
    return new NotFoundError(`${repository}:${tag} is in the tag list, but its manifest is not found (404${code === undefined ? "" : ` ${code}`})`, {
      code: "tag_not_found",
      ...said,
    });
  }
  const what = code === "NAME_UNKNOWN" ? `The repository ${repository} does not exist` : `The manifest of ${repository}:${tag} does not exist`;
  return new NotFoundError(`${what} (404${code === undefined ? "" : ` ${code}`})`, { code: "manifest_unknown", ...said });
}

/** The digest of `body`, checked against the registry's Docker-Content-Digest when it sent one. */
function verifiedDigest(body: Buffer, header: string | undefined, what: string): string {
  const published = header?.trim();
  const actual = digestOf(body, published ?? "sha256:");
  if (published !== undefined && isContentDigest(published) && published !== actual) {
    throw new IntegrityError(`${what} has the digest ${actual}, but the registry says ${published}`);
  }
  return published !== undefined && isContentDigest(published) ? published : digestOf(body);
}

function assertRepository(repository: string): void {
  if (repository.length > 255 || !repositoryName.test(repository)) {
    throw new InputError(`"${repository.slice(0, 100)}" is not a valid OCI repository name`, { code: "invalid_reference" });
  }
}

function assertTag(tag: string): void {
  if (!tagPattern.test(tag)) throw new InputError(`"${tag.slice(0, 140)}" is not a valid OCI tag`, { code: "invalid_reference" });
}

function assertDigest(digest: string): void {
  if (!isContentDigest(digest)) throw new InputError(`"${digest.slice(0, 140)}" is not a sha256 or sha512 digest`, { code: "invalid_reference" });
}
