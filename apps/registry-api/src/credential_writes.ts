import type { CredentialPublicFields, SealedSecret } from "@charthouse/credentials";
import type { ApiRepositories } from "./api_repositories.ts";

/** A credential ready to store: its id (the secret is bound to it), public fields and sealed secret. */
export interface SealedCredential {
  id: string;
  name: string;
  kind: string;
  public: CredentialPublicFields;
  sealed: SealedSecret;
}

/** Inserts a credential whose secret is already sealed for its id; a taken name is a conflict. */
export async function insertCredential(db: ApiRepositories, organizationId: string, credential: SealedCredential): Promise<void> {
  await db.credentials.insert(organizationId, {
    id: credential.id,
    name: credential.name,
    kind: credential.kind,
    username: credential.public.username ?? null,
    providerHint: credential.public.provider_hint ?? null,
    secret: credential.sealed,
  });
}

/** Renames a credential and/or replaces its secret (with its public fields). */
export async function updateCredential(
  db: ApiRepositories,
  organizationId: string,
  id: string,
  change: { name?: string; secret?: { public: CredentialPublicFields; sealed: SealedSecret } },
): Promise<void> {
  const { secret } = change;
  await db.credentials.update(organizationId, id, {
    ...(change.name === undefined ? {} : { name: change.name }),
    ...(secret === undefined
      ? {}
      : { secret: { username: secret.public.username ?? null, providerHint: secret.public.provider_hint ?? null, sealed: secret.sealed } }),
  });
}
