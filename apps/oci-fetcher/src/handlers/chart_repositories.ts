import { NotFoundError } from "@charthouse/errors";
import type { OciReference, OciSession } from "@charthouse/registry-oci";
import { mapConcurrent } from "./map_concurrent.ts";

/** A repository of the registry and its tags, as just listed. */
export interface ListedRepository {
  repository: string;
  tags: string[];
}

/**
 * The chart repositories a registry URL points at, with their tags. A path that is itself a
 * repository (`oci://ghcr.io/org/charts/nginx`) is just that one: one tag-list request. Any
 * other path is a namespace whose repositories are listed (catalog, Docker Hub or Harbor API);
 * once a sync found it to be one (`knownNamespace`), it is not asked for tags of its own again.
 */
export async function chartRepositories(
  session: Pick<OciSession, "listTags" | "listRepositories">,
  reference: OciReference,
  options: { concurrency: number; knownNamespace: boolean },
): Promise<ListedRepository[]> {
  const { concurrency } = options;
  if (reference.path !== "" && !options.knownNamespace) {
    const tags = await session.listTags(reference.path);
    if (tags !== null) return [{ repository: reference.path, tags }];
  }
  const listing = await session.listRepositories(reference.path);
  const listed = await mapConcurrent(listing.repositories, concurrency, async (repository) => ({
    repository,
    tags: await session.listTags(repository),
  }));
  const repositories = listed.filter((r): r is ListedRepository => r.tags !== null);
  if (repositories.length === 0) {
    const where = reference.path === "" ? `registry ${reference.host}` : `${reference.host}/${reference.path}`;
    throw new NotFoundError(`${where} is neither a chart repository nor a namespace holding any (listed via ${listing.via})`, {
      code: "manifest_unknown",
    });
  }
  return repositories;
}
