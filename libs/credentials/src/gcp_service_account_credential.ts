import { createPrivateKey } from "node:crypto";
import { z } from "zod";
import { credentialText, type CredentialKindDefinition } from "./credential_kind.ts";

/** Google's OAuth2 token endpoint: the `token_uri` of a key file that names none. */
export const defaultGoogleTokenUri = "https://oauth2.googleapis.com/token";

// A key file is about 2.3 KB; this leaves room for any field Google adds without accepting megabytes.
const maxKeyFileCharacters = 65_536;

/** The fields of a Google service account key file that signing in needs; the others are dropped. */
export const gcpServiceAccountKeyFileSchema = z.object(
  {
    type: z.literal("service_account", { error: 'must be "service_account": create a key for a service account' }).optional(),
    client_email: credentialText({
      max: 320,
      rule: { test: (value) => /^[^@\s]+@[^@\s]+$/.test(value), message: "must be the service account's e-mail address" },
    }),
    private_key: z
      .string({ error: (issue) => (issue.input === undefined ? "is required" : "must be a string") })
      .min(1, { error: "must not be empty", abort: true })
      .max(16_384, { error: "must be at most 16384 characters", abort: true })
      .refine(isRsaPrivateKey, { error: "must be the key file's PEM RSA private key (-----BEGIN PRIVATE KEY-----)" }),
    private_key_id: credentialText({ max: 128 }).optional(),
    project_id: credentialText({ max: 128 }).optional(),
    client_id: credentialText({ max: 128 }).optional(),
    token_uri: credentialText({
      max: 2048,
      rule: { test: isTokenUri, message: "must be an https:// URL (http:// only on the loopback address)" },
    }).default(defaultGoogleTokenUri),
  },
  {
    error: (issue) =>
      issue.input === undefined ? "is required" : "must be the service account's JSON key file, as an object or a string",
  },
);

/** The secret of a `gcp_service_account` credential (Google Artifact Registry). */
export const gcpServiceAccountSecretSchema = z.object({
  service_account_json: z.preprocess((value, ctx) => {
    if (typeof value !== "string") return value;
    if (value.length > maxKeyFileCharacters) {
      ctx.addIssue({ code: "custom", message: `must be at most ${maxKeyFileCharacters} characters` });
      return z.NEVER;
    }
    try {
      return JSON.parse(value) as unknown;
    } catch {
      // JSON.parse's own message quotes the text around the error: a piece of the private key.
      ctx.addIssue({ code: "custom", message: "must be valid JSON: the service account's key file as downloaded" });
      return z.NEVER;
    }
  }, gcpServiceAccountKeyFileSchema),
});

/** A Google service account key file (the fields signing in uses, `token_uri` defaulted). */
export type GcpServiceAccountSecret = z.infer<typeof gcpServiceAccountSecretSchema>;

/** The `gcp_service_account` credential kind: `{ service_account_json }`, the key file as JSON text or object. */
export const gcpServiceAccountCredential: CredentialKindDefinition<"gcp_service_account", GcpServiceAccountSecret> = {
  kind: "gcp_service_account",
  description: "Google service account key",
  secretSchema: gcpServiceAccountSecretSchema,
  publicFields: (secret) => ({ username: secret.service_account_json.client_email, provider_hint: "gcp" }),
};

function isRsaPrivateKey(pem: string): boolean {
  try {
    return createPrivateKey({ key: pem, format: "pem" }).asymmetricKeyType === "rsa";
  } catch {
    return false;
  }
}

/**
 * Where the signed assertion may be sent: https, or http to the loopback address (a local
 * emulator). Cloud metadata addresses are refused outright, since the request carries a signed
 * assertion and the answer would be read as a token.
 */
function isTokenUri(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.username !== "" || url.password !== "") return false;
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (host.startsWith("169.254.") || host.startsWith("fe80:") || host.startsWith("metadata")) return false;
  if (url.protocol === "https:") return true;
  return url.protocol === "http:" && (host === "127.0.0.1" || host === "localhost" || host === "::1");
}
