import { z } from "zod";
import { credentialText, type CredentialKindDefinition } from "./credential_kind.ts";

/** The secret of a `basic` credential (Harbor, Nexus, Artifactory, ChartMuseum, any registry). */
export const basicSecretSchema = z.object({
  // RFC 7617: a user-id containing ":" cannot be sent with HTTP basic authentication.
  username: credentialText({ max: 256, rule: { test: (value) => !value.includes(":"), message: "must not contain ':'" } }),
  password: credentialText({ max: 4096, trim: false }),
});

/** A username and password. */
export type BasicSecret = z.infer<typeof basicSecretSchema>;

/** The `basic` credential kind: `{ username, password }`. */
export const basicCredential: CredentialKindDefinition<"basic", BasicSecret> = {
  kind: "basic",
  description: "username and password",
  secretSchema: basicSecretSchema,
  publicFields: (secret) => ({ username: secret.username }),
};
