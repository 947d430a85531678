import type { OrganizationJson } from "@charthouse/api-types";
import { NotFoundError } from "@charthouse/errors";
import type { ApiRepositories } from "../api_repositories.ts";

/** One organisation by id. */
export async function getOrganization(db: ApiRepositories, id: string): Promise<OrganizationJson> {
  const row = await db.organizations.get(id);
  if (!row) throw new NotFoundError(`No organisation with id ${id}`);
  return { id: row.id, name: row.name, created_at: row.created_at.toISOString() };
}
