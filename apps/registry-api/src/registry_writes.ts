import type { NewRegistry, RegistryKind } from "@charthouse/db";
import { InputError } from "@charthouse/errors";
import type { Logger } from "@charthouse/logging";
import type { Publisher } from "@charthouse/messaging";
import type { ApiRepositories } from "./api_repositories.ts";
import { normalizeRegistryUrl } from "./registry_url.ts";
import { requestFirstSyncs } from "./sync_requests.ts";

/** A registry to create, as the request body gives it (already schema-checked). */
export interface RegistryToCreate {
  name: string;
  url: string;
  kind?: RegistryKind | undefined;
  credential_id?: string | null | undefined;
  sync_interval_seconds?: number | undefined;
}

/** Fails with 422 on `credential_id` when the credential is not the organisation's. */
export async function assertCredentialUsable(db: ApiRepositories, organizationId: string, credentialId: string | null): Promise<void> {
  await assertCredentialsUsable(db, organizationId, [{ credentialId, field: "credential_id" }]);
}

/**
 * Creates registries of the organisation, all or none, and requests their first syncs; returns
 * their ids in the order given. Every problem of every registry is reported in one 422, each
 * field named by `field(index, name)`: `url` for the one registry of POST /registries,
 * `registries.3.url` for the fourth of a bulk create.
 */
export async function createRegistries(
  deps: { db: ApiRepositories; publisher: Publisher; log: Logger },
  organizationId: string,
  inputs: readonly RegistryToCreate[],
  field: (index: number, name: string) => string,
): Promise<string[]> {
  const invalid: { index: number; error: InputError }[] = [];
  const duplicates: { field: string; message: string }[] = [];
  const registries: NewRegistry[] = [];
  const firstIndexOfName = new Map<string, number>();
  inputs.forEach((input, index) => {
    try {
      const { url, kind } = normalizeRegistryUrl(input.url, input.kind);
      registries.push({
        name: input.name,
        url,
        kind,
        credentialId: input.credential_id ?? null,
        syncIntervalSeconds: input.sync_interval_seconds ?? 120,
      });
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      invalid.push({ index, error: err });
    }
    const earlier = firstIndexOfName.get(input.name);
    if (earlier === undefined) firstIndexOfName.set(input.name, index);
    else duplicates.push({ field: field(index, "name"), message: `is already the name of the registry at ${field(earlier, "name")}` });
  });
  if (invalid.length === 1 && duplicates.length === 0 && inputs.length === 1) throw invalid[0]!.error;
  if (invalid.length > 0 || duplicates.length > 0) throw combinedProblem(invalid, duplicates, field);
  await assertCredentialsUsable(
    deps.db,
    organizationId,
    registries.map((r, index) => ({ credentialId: r.credentialId, field: field(index, "credential_id") })),
  );

  const ids = await deps.db.registries.insertMany(organizationId, registries);
  try {
    await requestFirstSyncs(deps.db, deps.publisher, ids);
  } catch (err) {
    // The runs are recorded; the scheduler republishes runs whose message never arrived.
    deps.log.warn({ err, registries: ids.length }, "Cannot publish the first sync of new registries");
  }
  return ids;
}

/** One 422 for every invalid registry of a bulk create: the code and solution of the first, every field of all. */
function combinedProblem(
  invalid: readonly { index: number; error: InputError }[],
  duplicates: readonly { field: string; message: string }[],
  field: (index: number, name: string) => string,
): InputError {
  const fields = [
    ...invalid.flatMap(({ index, error }) => error.fields.map((f) => ({ field: field(index, f.field), message: f.message }))),
    ...duplicates,
  ];
  const first = invalid[0]?.error;
  return new InputError(`Invalid request: ${fields.map((f) => `${f.field} ${f.message}`).join("; ")}`, {
    ...(first === undefined ? {} : { code: first.code, solution: first.solution }),
    fields,
  });
}

/** Fails with one 422 naming every `credential_id` that is not one of the organisation's credentials. */
async function assertCredentialsUsable(
  db: ApiRepositories,
  organizationId: string,
  uses: readonly { credentialId: string | null; field: string }[],
): Promise<void> {
  const distinct = [...new Set(uses.flatMap((u) => (u.credentialId === null ? [] : [u.credentialId])))];
  const missing = new Set<string>();
  for (const id of distinct) if (!(await db.credentials.exists(organizationId, id))) missing.add(id);
  if (missing.size === 0) return;
  const fields = uses
    .filter((u) => u.credentialId !== null && missing.has(u.credentialId))
    .map((u) => ({ field: u.field, message: "must be the id of one of your credentials" }));
  throw new InputError(`No credential with id ${[...missing].join(", ")}`, { fields });
}
