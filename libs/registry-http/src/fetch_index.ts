import { registryRequest } from "@charthouse/outbound-http";

/** The validators of the last index answered with 200. */
export interface IndexValidators {
  etag: string | null;
  lastModified: string | null;
}

/** Limits and guards of an index request. */
export interface FetchIndexOptions {
  validators: IndexValidators;
  /** An Authorization header value for the repository's own origin. */
  auth?: string | undefined;
  /** The repository URL: only its origin ever receives `auth`. */
  repositoryUrl: string;
  maxBytes: number;
  timeoutMs: number;
  bodyTimeoutMs: number;
  /** Total time of the request, body included (CHARTHOUSE_READ_DEADLINE_MS); default 300 000. */
  deadlineMs?: number | undefined;
  blockPrivateNetworks: boolean;
  /** Awaited before the body of a changed index is read (never for a 304): see registryRequest. */
  beforeBody?: () => Promise<void>;
}

/** A fetched index: unchanged (304), or its body with the new validators. */
export type FetchedIndex =
  | { changed: false; status: 304 }
  | { changed: true; status: number; body: Uint8Array; validators: IndexValidators; url: string };

/**
 * Fetches index.yaml with `If-None-Match` / `If-Modified-Since` from the last 200 and asks for
 * gzip or brotli; a 304 costs one request and no body.
 */
export async function fetchIndex(indexUrl: URL, options: FetchIndexOptions): Promise<FetchedIndex> {
  const headers: Record<string, string> = { accept: "application/yaml, application/x-yaml, text/yaml, application/json;q=0.9, */*;q=0.8" };
  if (options.validators.etag) headers["if-none-match"] = options.validators.etag;
  if (options.validators.lastModified) headers["if-modified-since"] = options.validators.lastModified;
  const response = await registryRequest(indexUrl, {
    headers,
    maxBytes: options.maxBytes,
    limitSetting: "CHARTHOUSE_MAX_INDEX_BYTES",
    timeoutMs: options.timeoutMs,
    bodyTimeoutMs: options.bodyTimeoutMs,
    ...(options.deadlineMs === undefined ? {} : { deadlineMs: options.deadlineMs }),
    blockPrivateNetworks: options.blockPrivateNetworks,
    decompress: true,
    acceptStatuses: [200, 304],
    ...(options.beforeBody === undefined ? {} : { beforeBody: options.beforeBody }),
    ...(options.auth === undefined ? {} : { auth: options.auth, authOrigin: options.repositoryUrl }),
  });
  if (response.status === 304) return { changed: false, status: 304 };
  return {
    changed: true,
    status: response.status,
    body: response.body ?? new Uint8Array(),
    url: response.url,
    validators: { etag: response.headers["etag"] ?? null, lastModified: response.headers["last-modified"] ?? null },
  };
}
