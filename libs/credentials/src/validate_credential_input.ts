import type { z } from "zod";
import { InputError } from "@charthouse/errors";
import type { CredentialKindDefinition, CredentialPublicFields } from "./credential_kind.ts";
import { credentialKinds, isCredentialKind, type CredentialKind, type RegistryCredential } from "./credential_kinds.ts";
import { SealedSecretError } from "./sealed_secret_error.ts";

/** A valid credential from an API body: the secret to seal and the fields that may be shown. */
export type ValidatedCredentialInput = RegistryCredential & { public: CredentialPublicFields };

/**
 * Validates the secret fields of a credential body for `kind`, or throws InputError listing
 * every bad field as `{ field, message }`. Messages never repeat a submitted value.
 */
export function validateCredentialInput(kind: string, body: unknown): ValidatedCredentialInput {
  if (!isCredentialKind(kind)) {
    const message = `must be one of ${Object.keys(credentialKinds).join(", ")}`;
    throw new InputError(`Invalid credential: kind ${message}`, { fields: [{ field: "kind", message }] });
  }
  const definition = credentialKinds[kind];
  const parsed = (definition.secretSchema as z.ZodType<unknown>).safeParse(body ?? {});
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => ({
      field: issue.path.length === 0 ? "body" : issue.path.map(String).join("."),
      message: issue.path.length === 0 ? "must be a JSON object" : issue.message,
    }));
    const summary = fields.map((f) => `${f.field} ${f.message}`).join("; ");
    throw new InputError(`Invalid ${kind} credential (${definition.description}): ${summary}`, { fields });
  }
  return withPublicFields(kind, parsed.data);
}

/**
 * Checks a secret just opened from storage against its kind's schema, so a stored row that no
 * longer fits fails here, naming the credential, instead of deep inside a registry client.
 */
export function parseStoredCredential(kind: string, secret: unknown, credentialId: string): RegistryCredential {
  if (!isCredentialKind(kind)) {
    throw new SealedSecretError(`Credential ${credentialId} has the unknown kind "${kind.slice(0, 40)}"`);
  }
  const parsed = (credentialKinds[kind].secretSchema as z.ZodType<unknown>).safeParse(secret);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => issue.path.map(String).join(".")).join(", ");
    throw new SealedSecretError(`The stored secret of ${kind} credential ${credentialId} is invalid (${fields})`, {
      solution: "Replace the credential's secret",
    });
  }
  const { public: _shown, ...credential } = withPublicFields(kind, parsed.data);
  return credential;
}

// The schema of `kind` produced `data`, so it is that kind's secret: the one cast of this module.
function withPublicFields(kind: CredentialKind, data: unknown): ValidatedCredentialInput {
  const definition: CredentialKindDefinition<CredentialKind, unknown> = credentialKinds[kind];
  return { kind, secret: data, public: definition.publicFields(data) } as ValidatedCredentialInput;
}
