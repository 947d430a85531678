import type { Logger } from "@charthouse/logging";
import type { ArchiveStore, Publisher } from "@charthouse/messaging";
import type { SecretBox } from "@charthouse/credentials";
import type { DestinationPolicy } from "@charthouse/outbound-http";
import type { ApiRepositories } from "./api_repositories.ts";

/** What the API's routes are built from: connections and adapters, made once in main.ts. */
export interface ApiContext {
  /** Postgres, through the repositories. */
  db: ApiRepositories;
  publisher: Publisher;
  archives: ArchiveStore;
  log: Logger;
  /** Seals and opens credential secrets; null when CHARTHOUSE_SECRET_KEY is not configured. */
  secretBox: SecretBox | null;
  /** Which webhook targets a subscription may name (CHARTHOUSE_BLOCK_PRIVATE_NETWORKS); private networks allowed when absent, as by default. */
  destinations?: DestinationPolicy;
}
