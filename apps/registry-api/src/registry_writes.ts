import { InputError } from "@charthouse/errors";
import type { ApiRepositories } from "./api_repositories.ts";

/** Fails with 422 on `credential_id` when the credential is not the organisation's. */
export async function assertCredentialUsable(db: ApiRepositories, organizationId: string, credentialId: string | null): Promise<void> {
  if (credentialId === null) return;
  if (!(await db.credentials.exists(organizationId, credentialId))) {
    throw new InputError(`No credential with id ${credentialId}`, {
      fields: [{ field: "credential_id", message: "must be the id of one of your credentials" }],
    });
  }
}
