import type { Page, Registry } from "../api/api_types.ts";

/** Registry names by id, from the first page of registries (up to 500: the API's largest page). */
export function registryNames(page: Page<Registry> | undefined): ReadonlyMap<string, string> {
  return new Map((page?.items ?? []).map((r) => [r.id, r.name]));
}
