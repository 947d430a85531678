import type { RegistryCredential } from "./credential_kinds.ts";

/** Credentials that map to an Authorization header without a token exchange. */
export type StaticRegistryCredential = Extract<RegistryCredential, { kind: "basic" | "token" }>;

/**
 * The Authorization header value for a credential on an HTTP chart repository or an OCI
 * registry's token endpoint:
 * - `basic`: `Basic base64(username:password)`;
 * - `token` without a username: `Bearer <token>`;
 * - `token` with a username: `Basic base64(username:token)`, which is how GHCR, Docker Hub and
 *   Artifactory accept personal access tokens (as a password), and what OCI token endpoints expect.
 */
export function authorizationHeader(credential: StaticRegistryCredential): string {
  switch (credential.kind) {
    case "basic":
      return basic(credential.secret.username, credential.secret.password);
    case "token":
      return credential.secret.username === undefined
        ? `Bearer ${credential.secret.token}`
        : basic(credential.secret.username, credential.secret.token);
  }
}

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`;
}
