import { z } from "zod";
import { credentialText, type CredentialKindDefinition } from "./credential_kind.ts";

/** The secret of an `aws` credential: an IAM access key (Amazon ECR). */
export const awsSecretSchema = z.object({
  // AKIA... (long-term) or ASIA... (temporary, with a session token): upper-case letters and digits.
  access_key_id: credentialText({
    max: 128,
    rule: { test: (value) => /^[A-Z0-9]{16,128}$/.test(value), message: "must be an AWS access key ID (16 or more capital letters and digits, e.g. AKIA...)" },
  }),
  secret_access_key: credentialText({
    max: 256,
    rule: { test: (value) => /^[\x21-\x7e]+$/.test(value), message: "must be printable ASCII without spaces" },
  }),
  session_token: credentialText({
    max: 8192,
    rule: { test: (value) => /^[\x21-\x7e]+$/.test(value), message: "must be printable ASCII without spaces" },
  }).optional(),
  region: credentialText({
    max: 64,
    rule: { test: (value) => /^[a-z]{2}(-[a-z]+)+-\d+$/.test(value), message: "must be an AWS region such as eu-west-1" },
  }).optional(),
});

/** An IAM access key, with the session token of temporary keys and the region of the registry. */
export type AwsSecret = z.infer<typeof awsSecretSchema>;

/** The `aws` credential kind: `{ access_key_id, secret_access_key, session_token?, region? }`. */
export const awsCredential: CredentialKindDefinition<"aws", AwsSecret> = {
  kind: "aws",
  description: "AWS access key",
  secretSchema: awsSecretSchema,
  // An access key ID names the key; AWS itself prints it in logs and consoles. The secret stays sealed.
  publicFields: (secret) => ({ username: secret.access_key_id, provider_hint: "aws" }),
};
