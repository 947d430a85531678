import type { KeysetPosition, KeysetSlice } from "@charthouse/db";
import { InputError } from "@charthouse/errors";
import { z } from "zod";

/** The limit and cursor of a list request. */
export interface PageRequest {
  limit: number;
  cursor: string | undefined;
}

/** One page of a list, as every list endpoint answers it. */
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}


const limitSchema = z.coerce.number().int().min(1).max(500);

/** Reads `?limit=` (1..500, default 100) and `?cursor=` from a query string. */
export function parsePageRequest(query: Record<string, unknown>): PageRequest {
  const rawLimit = single(query["limit"], "limit");
  let limit = 100;
  if (rawLimit !== undefined) {
    const parsed = rawLimit.trim() === "" ? undefined : limitSchema.safeParse(rawLimit);
    if (!parsed?.success) {
      throw new InputError(`limit must be a whole number from 1 to 500, got "${rawLimit}"`, {
        fields: [{ field: "limit", message: "must be a whole number from 1 to 500" }],
      });
    }
    limit = parsed.data;
  }
  const cursor = single(query["cursor"], "cursor");
  return { limit, cursor: cursor === "" ? undefined : cursor };
}

/** Reads one optional string query parameter; repeated parameters are a 422. */
export function single(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "string") return value;
  throw new InputError(`${field} must be given at most once`, { fields: [{ field, message: "must be given at most once" }] });
}

const keysetSchema = z.tuple([z.string(), z.uuid()]);
const offsetSchema = z.tuple([z.literal("o"), z.number().int().nonnegative()]);

/** The opaque cursor of a keyset position (base64url of the last name and id). */
export function encodeKeysetCursor(position: KeysetPosition): string {
  return Buffer.from(JSON.stringify([position.name, position.id])).toString("base64url");
}

/** The keyset position of a cursor, or undefined for the first page; a forged cursor is a 422. */
export function decodeKeysetCursor(cursor: string | undefined): KeysetPosition | undefined {
  if (cursor === undefined) return undefined;
  const parsed = keysetSchema.safeParse(decodeJson(cursor));
  if (!parsed.success) throw invalidCursor();
  return { name: parsed.data[0], id: parsed.data[1] };
}

/** The opaque cursor of an offset, for lists not ordered by name (versions by semver). */
export function encodeOffsetCursor(offset: number): string {
  return Buffer.from(JSON.stringify(["o", offset])).toString("base64url");
}

/** The offset of a cursor made by encodeOffsetCursor (0 for the first page). */
export function decodeOffsetCursor(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  const parsed = offsetSchema.safeParse(decodeJson(cursor));
  if (!parsed.success) throw invalidCursor();
  return parsed.data[1];
}

/** The rows a keyset-paged read fetches for a page: one more than the page holds (is there a next page?), after its cursor. */
export function keysetSliceOf(page: PageRequest): KeysetSlice {
  return { limit: page.limit + 1, after: decodeKeysetCursor(page.cursor) };
}

/** Splits rows fetched with limit + 1 into a page, with the cursor of its last item. */
export function keysetPage<Row extends KeysetPosition, T>(rows: Row[], limit: number, toJson: (row: Row) => T): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  const next_cursor = rows.length > limit && last ? encodeKeysetCursor({ name: last.name, id: last.id }) : null;
  return { items: items.map(toJson), next_cursor };
}

function decodeJson(cursor: string): unknown {
  try {
    return JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw invalidCursor();
  }
}

function invalidCursor(): InputError {
  return new InputError("cursor is not a cursor this list returned", {
    fields: [{ field: "cursor", message: "must be the next_cursor of a previous page" }],
  });
}
