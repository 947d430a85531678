import {
  chartOfVersions,
  diffVersions,
  finishSync,
  isEmptyDiff,
  leasedSyncHandler,
  writeVersionChanges,
  type IndexedChart,
  type StartedSync,
  type StoredOciVersion,
  type SyncResult,
  type SyncRunStore,
  type VersionStore,
} from "@charthouse/catalog";
import { syncRequestedOci, type MessagePublisher, type SyncRequested } from "@charthouse/contracts";
import type { OciRepositoryState, SealedCredential } from "@charthouse/db";
import type { DeliveryContext, MessageHandler } from "@charthouse/messaging";
import { parseOciReference, type OciReference, type OciSession } from "@charthouse/registry-oci";
import { recordSync, type SyncRecorder } from "@charthouse/service-runtime";
import type { z } from "zod";
import { chartRepositories, type ListedRepository } from "./chart_repositories.ts";
import { mapConcurrent } from "./map_concurrent.ts";
import { readRepository, type RepositoryReading } from "./read_repository.ts";
import { SyncNotes } from "./sync_notes.ts";

/** The versions an OCI sync reads and writes: the stored ones with their sources, and the writes of the diff. */
export interface OciSyncVersions extends VersionStore {
  /** The stored versions of an OCI registry with where each was read from and the facts its chart shows. */
  storedOciVersions(registryId: string): Promise<StoredOciVersion[]>;
}

/** What an OCI sync remembers of each repository between syncs. */
export interface OciRepositoryStates {
  /** The remembered state of every repository of a registry, by name. */
  forRegistry(registryId: string): Promise<Map<string, OciRepositoryState>>;
  /** Saves the states of the repositories a sync read and forgets those not in `keep`. */
  replace(registryId: string, states: readonly OciRepositoryState[], keep: readonly string[]): Promise<void>;
}

/** The requests an OCI sync makes of a registry: repository and tag listings, manifests and config blobs. */
export type OciSyncSession = Pick<OciSession, "listTags" | "listRepositories" | "manifest" | "manifestDigest" | "chartConfig" | "rateLimitWaits">;

/** Opens a session for one registry and its credential (null = anonymous). */
export interface OciSyncClient {
  session(reference: OciReference, credential: SealedCredential | null): OciSyncSession;
}

/** What an OCI sync needs. */
export interface SyncOciRegistryDependencies {
  syncRuns: SyncRunStore<SealedCredential>;
  versions: OciSyncVersions;
  repositories: OciRepositoryStates;
  publisher: MessagePublisher;
  client: OciSyncClient;
  settings: {
    /** Hosts spoken to over plain HTTP besides loopback. */
    plainHttpHosts: readonly string[];
    /** How old a repository's last re-check may be before a scheduled sync compares manifest digests again. */
    recheckSeconds: number;
    repositoryConcurrency: number;
    manifestConcurrency: number;
  };
  /** Syncs by outcome and their duration (/metrics, kind="oci"); none in tests that do not look. */
  metrics?: SyncRecorder;
}

/**
 * Syncs one OCI registry: finds its chart repositories (the URL's own, or a namespace's),
 * lists their tags, reads only what changed (see readRepository), diffs by (chart, version,
 * digest) like an HTTP index, writes the changes in batches and queues a download per version.
 */
export function syncOciRegistryHandler(deps: SyncOciRegistryDependencies): MessageHandler<z.ZodType<SyncRequested>> {
  return leasedSyncHandler(deps, {
    contract: syncRequestedOci,
    record: (attempt) => recordSync(deps.metrics, attempt),
    sync: (started, payload, context: DeliveryContext) => syncRegistry(deps, started, payload, context),
  });
}

/** One leased sync of an OCI registry. */
async function syncRegistry(
  deps: SyncOciRegistryDependencies,
  started: StartedSync<SealedCredential>,
  payload: SyncRequested,
  context: DeliveryContext,
): Promise<SyncResult["outcome"]> {
  const { leased, log } = started;
  const registry = leased.registry;

  const reference = parseOciReference(registry.url, { plainHttpHosts: deps.settings.plainHttpHosts });
  const session = deps.client.session(reference, registry.credential);
  const notes = new SyncNotes();
  const [stored, states] = await Promise.all([
    deps.versions.storedOciVersions(registry.id),
    deps.repositories.forRegistry(registry.id),
  ]);
  // A push that named one repository of a registry synced before: read just that one.
  const narrowed = await pushedRepository(session, reference, payload, { states, stored });
  const listed =
    narrowed?.listed ??
    (await chartRepositories(session, reference, {
      concurrency: deps.settings.repositoryConcurrency,
      // The last sync found repositories under the path, not the path itself: a namespace.
      knownNamespace: states.size > 0 && !states.has(reference.path),
    }));
  const compared = narrowed?.stored ?? stored;
  context.working();

  const storedByChart = groupByChart(compared);
  const now = new Date();
  const readings = await mapConcurrent(chartRepositoriesByName(listed, notes), deps.settings.repositoryConcurrency, async ({ listing, chart }) => {
    const state = states.get(listing.repository);
    const recheckDue = state === undefined || now.getTime() - state.recheckedAt.getTime() >= deps.settings.recheckSeconds * 1000;
    const reading = await readRepository(
      session,
      reference,
      {
        repository: listing.repository,
        chart,
        tags: listing.tags,
        stored: storedByChart.get(chart) ?? [],
        state,
        // "Sync now" always looks for re-pushed tags, and so does a push (of that repository, when
        // it named one); scheduled syncs do every recheckSeconds.
        recheck: payload.trigger === "manual" || pushedTo(payload, listing.repository) || recheckDue,
      },
      { concurrency: deps.settings.manifestConcurrency, notes, now },
    );
    context.working();
    return reading;
  });
  if (session.rateLimitWaits > 0) {
    notes.add("rate_limited", `The registry's rate limit slowed this sync down ${session.rateLimitWaits} time(s)`);
  }

  const charts = catalogueCharts(readings, storedByChart);
  const changes = diffVersions(
    charts,
    readings.flatMap((r) => r.versions),
    compared,
  );
  const changed = !isEmptyDiff(changes);
  if (changed) await started.start.announce();
  if (changed || readings.some((r) => r.read)) {
    await writeVersionChanges(deps, {
      sync: leased,
      changes,
      stored: compared,
      // A one-repository sync says nothing of the registry's other charts.
      completeCharts: narrowed === null,
      working: () => context.working(),
    });
  }
  // Remembered last: a crash before this point reads the repositories again.
  const readNames = readings.map((r) => r.state.name);
  await deps.repositories.replace(
    registry.id,
    readings.filter((r) => r.read).map((r) => r.state),
    narrowed === null ? readNames : [...new Set([...states.keys(), ...readNames])],
  );
  const result: SyncResult = {
    outcome: changed ? "updated" : "unchanged",
    httpStatus: null,
    bytes: 0,
    chartsSeen: charts.filter((c) => c.versions > 0).length,
    versionsAdded: changes.added.length,
    versionsRemoved: changes.removedIds.length,
    etag: null,
    lastModified: null,
    contentHash: null,
    notes: notes.list(),
  };
  await finishSync(deps, started, result);
  log.info(
    {
      repositories: listed.length,
      pushed: narrowed === null ? null : payload.repository,
      read: readings.filter((r) => r.read).length,
      added: changes.added.length,
      refetched: changes.refetch.length,
      removed: changes.removedIds.length,
      notes: result.notes,
    },
    "OCI registry synced",
  );
  return result.outcome;
}

/**
 * Names each repository's chart after its last path segment. Two repositories of a namespace
 * with the same last segment (`a/nginx`, `b/nginx`) cannot both be chart `nginx`: the first in
 * name order is kept and the other noted.
 */
function chartRepositoriesByName(listed: readonly ListedRepository[], notes: SyncNotes): { listing: ListedRepository; chart: string }[] {
  const byChart = new Map<string, ListedRepository>();
  for (const listing of [...listed].sort((a, b) => a.repository.localeCompare(b.repository))) {
    const chart = listing.repository.slice(listing.repository.lastIndexOf("/") + 1);
    const taken = byChart.get(chart);
    if (taken === undefined) byChart.set(chart, listing);
    else notes.add("not_a_chart", `${listing.repository} was skipped: ${taken.repository} already provides chart "${chart}"`);
  }
  return [...byChart].map(([chart, listing]) => ({ chart, listing }));
}

/** Every chart of the registry after this sync: those read now, and those whose repository is gone (no versions). */
function catalogueCharts(readings: readonly RepositoryReading[], storedByChart: ReadonlyMap<string, StoredOciVersion[]>): IndexedChart[] {
  const charts = readings.filter((r) => r.versions.length > 0).map((r) => chartOfVersions(r.chart, r.versions));
  const present = new Set(charts.map((c) => c.name));
  for (const [name, versions] of storedByChart) {
    if (present.has(name)) continue;
    // Gone from the registry: keep its facts, with no versions (they are tombstoned).
    const current = versions.filter((v) => v.state !== "removed");
    if (current.length > 0) charts.push({ ...chartOfVersions(name, current), versions: 0 });
  }
  return charts;
}

/**
 * The one repository a push named, with its tags and the stored versions of its chart, when a
 * sync may read it alone: the registry was synced before (its layout is known), the repository
 * is under the registry's path and still has tags, and its chart is not another repository's.
 * Otherwise null, and the whole registry is synced.
 */
async function pushedRepository(
  session: OciSyncSession,
  reference: OciReference,
  payload: SyncRequested,
  known: { states: ReadonlyMap<string, OciRepositoryState>; stored: readonly StoredOciVersion[] },
): Promise<{ listed: ListedRepository[]; stored: StoredOciVersion[] } | null> {
  const repository = payload.repository;
  if (repository === undefined || known.states.size === 0) return null;
  const inside = reference.path === "" || repository === reference.path || repository.startsWith(`${reference.path}/`);
  if (!inside) return null;
  const chart = repository.slice(repository.lastIndexOf("/") + 1);
  const stored = known.stored.filter((v) => v.chart === chart);
  const fromElsewhere = stored.some((v) => v.ociReference !== null && !v.ociReference.includes(`/${repository}:`));
  if (fromElsewhere) return null;
  const tags = await session.listTags(repository);
  if (tags === null) return null;
  return { listed: [{ repository, tags }], stored };
}

/** Whether a push event asked for this repository (or, naming none, for every one). */
function pushedTo(payload: SyncRequested, repository: string): boolean {
  return payload.trigger === "push" && (payload.repository === undefined || payload.repository === repository);
}

function groupByChart(stored: readonly StoredOciVersion[]): Map<string, StoredOciVersion[]> {
  const byChart = new Map<string, StoredOciVersion[]>();
  for (const version of stored) {
    const list = byChart.get(version.chart);
    if (list === undefined) byChart.set(version.chart, [version]);
    else list.push(version);
  }
  return byChart;
}
