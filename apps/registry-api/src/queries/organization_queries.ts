import type { OrganizationJson } from "@charthouse/api-types";
import type { DataSource } from "@charthouse/db";
import { NotFoundError } from "@charthouse/errors";
import { queryRows } from "@charthouse/db";

/** One organisation by id. */
export async function getOrganization(db: DataSource, id: string): Promise<OrganizationJson> {
  const rows = await queryRows<{ id: string; name: string; created_at: Date }>(
    db,
    "SELECT id, name, created_at FROM organizations WHERE id = $1",
    [id],
  );
  const row = rows[0];
  if (!row) throw new NotFoundError(`No organisation with id ${id}`);
  return { id: row.id, name: row.name, created_at: row.created_at.toISOString() };
}
