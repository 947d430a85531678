import { NotFoundError } from "@charthouse/errors";

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True when a string is a UUID. */
export function isUuid(value: string): boolean {
  return uuidPattern.test(value);
}

/** A path id that must be a UUID; anything else names no object, so it is a 404. */
export function pathId(value: string | undefined, what: string): string {
  if (value === undefined || !isUuid(value)) throw new NotFoundError(`No ${what} with id "${value ?? ""}"`);
  return value.toLowerCase();
}
