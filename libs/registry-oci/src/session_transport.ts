import type { RegistryStreamResponse } from "@charthouse/outbound-http";
import type { OciReference } from "./oci_reference.ts";

/** How a request signs in. */
export type TransportAuth =
  /** The registry's own flow (Basic or Bearer tokens for `scope`). */
  | { type: "registry"; scope: string; repository: string | null }
  /** The login as Basic when it is a username and password (Harbor's API), else anonymous. */
  | { type: "basic" }
  | { type: "none" };

/** One request of a session. */
export interface TransportRequest {
  method?: "GET" | "HEAD";
  headers?: Record<string, string>;
  auth: TransportAuth;
  maxBytes: number;
  limitSetting: string;
  /** Statuses handed back besides 200 (404, ...); 401, 403 and 429 are handled here. */
  accept?: readonly number[];
}

/**
 * The requests of a session that the repository listing sends: signed in and rate limited as the
 * session's own, with its paging guards (OciRegistrySession implements it).
 */
export interface SessionTransport {
  /** The registry the session talks to. */
  readonly reference: OciReference;
  /** True when the session signs in with a credential. */
  readonly hasCredential: boolean;
  /** Sends one request, signed in as `request.auth` says. */
  send(url: URL, request: TransportRequest): Promise<RegistryStreamResponse>;
  /** The next page of a listing (Link rel="next") on the registry's origin; undefined at the end. */
  nextPage(response: RegistryStreamResponse, visited: Set<string>, added: number): URL | undefined;
  /** A paging URL moved onto `base`'s origin; throws when it leaves the host or was seen before. */
  sameOrigin(next: URL, base: URL, visited: Set<string>): URL | undefined;
}
