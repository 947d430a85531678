// The domain's own words for what the tables store; libs/db adds none of its own.
export type { ChartVersionState, SyncNote, SyncedRegistryKind as RegistryKind } from "@charthouse/catalog";
