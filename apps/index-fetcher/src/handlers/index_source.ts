import type { LeasedSync } from "@charthouse/catalog";
import type { SealedCredential } from "@charthouse/db";
import type { FetchedIndex } from "@charthouse/registry-http";

/** A leased registry as an index request needs it: where it is, its credential and its last validators. */
export type IndexedRegistry = LeasedSync<SealedCredential>["registry"];

/** Where a sync reads a registry's index.yaml from (the network in services, memory in tests). */
export interface IndexSource {
  /**
   * A conditional request of the registry's index: unchanged (304), or its body with new
   * validators. `beforeBody` is awaited before a changed index's body is read.
   */
  fetch(registry: IndexedRegistry, options?: { beforeBody?: () => Promise<void> }): Promise<FetchedIndex>;
}
