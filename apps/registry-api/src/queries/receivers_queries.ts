import type { ReceiverJson } from "@charthouse/api-types";
import type { ReceiverKind } from "@charthouse/catalog";
import type { ReceiverRow } from "@charthouse/db";
import { NotFoundError } from "@charthouse/errors";
import type { ApiRepositories } from "../api_repositories.ts";
import { keysetPage, keysetSliceOf, type Page, type PageRequest } from "../pagination.ts";
import { receiverSnippet } from "../receivers_snippet.ts";

/** Where the hook endpoints live, under the API's origin. */
export const hooksBasePath = "/hooks";

/** One page of an organisation's receivers, ordered by name then id; `origin` makes their URLs absolute. */
export async function listReceivers(db: ApiRepositories, organizationId: string, page: PageRequest, origin: string): Promise<Page<ReceiverJson>> {
  const rows = await db.receivers.list(organizationId, keysetSliceOf(page));
  return keysetPage(rows, page.limit, (row) => receiverJson(row, { origin }));
}

/** One receiver of the organisation (no secret); another organisation's is not found. */
export async function getReceiver(db: ApiRepositories, organizationId: string, id: string, origin: string): Promise<ReceiverJson> {
  const row = await db.receivers.get(organizationId, id);
  if (!row) throw new NotFoundError(`No receiver with id ${id}`);
  return receiverJson(row, { origin });
}

/** A receiver as the API shows it: its absolute URL and snippet, and its secret only when `secret` is given (at creation). */
export function receiverJson(row: ReceiverRow, options: { origin: string; secret?: string }): ReceiverJson {
  const kind = row.kind as ReceiverKind;
  const url = `${options.origin}${hooksBasePath}/${row.id}`;
  return {
    id: row.id,
    name: row.name,
    kind,
    registry_id: row.registry_id,
    url,
    ...(options.secret === undefined ? {} : { secret: options.secret }),
    snippet: receiverSnippet(kind, { name: row.name, url, secret: options.secret }),
    created_at: row.created_at.toISOString(),
  };
}
