import { z } from "zod";
import { credentialText, type CredentialKindDefinition } from "./credential_kind.ts";

/** The secret of a `token` credential (GHCR or Docker Hub access token, bearer token of an HTTP repository). */
export const tokenSecretSchema = z.object({
  token: credentialText({
    max: 16_384,
    rule: { test: (value) => /^[\x21-\x7e]+$/.test(value), message: "must be printable ASCII without spaces" },
  }),
  username: credentialText({ max: 256, rule: { test: (value) => !value.includes(":"), message: "must not contain ':'" } }).optional(),
});

/** An access token, with the username some registries pair it with. */
export type TokenSecret = z.infer<typeof tokenSecretSchema>;

/** The `token` credential kind: `{ token, username? }`. */
export const tokenCredential: CredentialKindDefinition<"token", TokenSecret> = {
  kind: "token",
  description: "access token",
  secretSchema: tokenSecretSchema,
  publicFields: (secret) => (secret.username === undefined ? {} : { username: secret.username }),
};
