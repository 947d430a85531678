import { CharthouseError } from "@charthouse/errors";
import { authorizationHeader } from "./authorization_header.ts";
import { isCloudCredential, type CloudCredential, type RegistryCredential } from "./credential_kinds.ts";
import type { SecretBox } from "./secret_box.ts";
import { secretBoxFromSettings } from "./secret_box_from_settings.ts";
import { parseStoredCredential } from "./validate_credential_input.ts";

/**
 * How a registry is signed in to once its credential is opened and, for the cloud kinds,
 * exchanged for a short-lived token:
 * - `basic`: a username and password (or personal access token), sent as Basic to an HTTP
 *   repository or to an OCI registry's token endpoint (ECR: user `AWS`; Google: user
 *   `oauth2accesstoken`);
 * - `bearer`: a token sent as is (a `token` credential without a username);
 * - `refresh_token`: an OAuth2 refresh token, exchanged at the OCI token endpoint with the
 *   OAuth2 POST form (Azure ACR).
 * `expiresAt` (ms since the epoch) is when a short-lived login stops working; null: it does not.
 */
export type RegistryLogin =
  | { type: "basic"; username: string; password: string; expiresAt: number | null }
  | { type: "bearer"; token: string; expiresAt: number | null }
  | { type: "refresh_token"; refreshToken: string; expiresAt: number | null };

/** A credential row as a service reads it: public fields and the sealed secret. */
export interface SealedCredentialRow {
  id: string;
  kind: string;
  keyId: string;
  ciphertext: string;
}

/** Signs registries in with their credentials. */
export interface RegistryLogins {
  /**
   * The login of `credential` for the registry at `registryUrl` (null: anonymous). Cloud kinds
   * are exchanged for a token and cached per credential and registry host until shortly before
   * the token expires; concurrent callers share one exchange.
   */
  login(credential: SealedCredentialRow | null, registryUrl: string): Promise<RegistryLogin | null>;
  /** Drops a cached login the registry refused (401), so the next `login` signs in again. */
  forget(credential: SealedCredentialRow, registryUrl: string): void;
}

/**
 * Exchanges a cloud credential for a short-lived login (see @charthouse/cloud-signin). A sign-in
 * that caches its logins also has `forget`, which `RegistryLogins.forget` calls after a 401.
 */
export interface CloudSignIn {
  (credential: CloudCredential, registryUrl: string): Promise<RegistryLogin>;
  /** Drops the logins cached for a credential at the host of `registryUrl`. */
  forget?(credentialId: string, registryUrl: string): void;
}

/** Options of registryLogins. */
export interface RegistryLoginsOptions {
  /** CHARTHOUSE_SECRET_KEY; without it a registry with a credential fails with a clear error. */
  secretKey: string | undefined;
  /** CHARTHOUSE_PREVIOUS_SECRET_KEYS: keys still accepted while a key rotation runs. */
  previousSecretKeys?: string | undefined;
  /** Signs in with the cloud kinds; without it those kinds fail with a clear error. */
  cloudSignIn?: CloudSignIn;
}

/**
 * Makes the sign-in of a service that calls registries. The secret is opened only here, in the
 * service that uses it, and only for the request being made.
 */
export function registryLogins(options: RegistryLoginsOptions): RegistryLogins {
  const box: SecretBox | undefined =
    options.secretKey === undefined
      ? undefined
      : secretBoxFromSettings({ secretKey: options.secretKey, previousSecretKeys: options.previousSecretKeys });
  return {
    async login(credential, registryUrl) {
      if (credential === null) return null;
      if (box === undefined) {
        throw new CharthouseError("credential_rejected", `Credential ${credential.id} cannot be opened: CHARTHOUSE_SECRET_KEY is not set`, {
          solution: "Set CHARTHOUSE_SECRET_KEY to the key the credential was saved with",
        });
      }
      const opened = parseStoredCredential(credential.kind, box.open(credential, credential.id), credential.id);
      const fixed = staticLogin(opened);
      if (fixed !== null) return fixed;
      if (!isCloudCredential(opened)) {
        throw new CharthouseError("internal", `Credential ${credential.id} of kind ${opened.kind} has no way to sign in`);
      }
      if (options.cloudSignIn === undefined) {
        throw new CharthouseError("credential_rejected", `Credential ${credential.id} of kind ${opened.kind} needs a cloud sign-in, which this service lacks`);
      }
      return await options.cloudSignIn({ ...opened, id: credential.id }, registryUrl);
    },
    forget(credential, registryUrl) {
      // Static logins are not cached; a cloud sign-in's cache drops the token the registry refused.
      options.cloudSignIn?.forget?.(credential.id, registryUrl);
    },
  };
}

/** The login of a credential that needs no exchange, or null for the cloud kinds. */
export function staticLogin(credential: RegistryCredential): RegistryLogin | null {
  switch (credential.kind) {
    case "basic":
      return { type: "basic", username: credential.secret.username, password: credential.secret.password, expiresAt: null };
    case "token":
      return credential.secret.username === undefined
        ? { type: "bearer", token: credential.secret.token, expiresAt: null }
        : { type: "basic", username: credential.secret.username, password: credential.secret.token, expiresAt: null };
    case "gcp_service_account":
    case "aws":
    case "azure_service_principal":
      return null;
  }
}

/**
 * The Authorization header a login sends straight to a registry (HTTP chart repositories, OCI
 * token endpoints that take Basic). A refresh token is only ever exchanged, never sent as is.
 */
export function loginAuthorizationHeader(login: RegistryLogin): string {
  switch (login.type) {
    case "basic":
      return authorizationHeader({ kind: "basic", secret: { username: login.username, password: login.password } });
    case "bearer":
      return `Bearer ${login.token}`;
    case "refresh_token":
      // ACR accepts its refresh token as the password of this fixed user (what `docker login` sends).
      return authorizationHeader({
        kind: "basic",
        secret: { username: "00000000-0000-0000-0000-000000000000", password: login.refreshToken },
      });
  }
}
