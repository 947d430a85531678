import { createHash } from "node:crypto";
import type { IndexedVersion, StoredOciVersion } from "@charthouse/catalog";
import type { OciRepositoryState } from "@charthouse/db";
import { CharthouseError } from "@charthouse/errors";
import { tagToVersion, type OciChartManifest, type OciReference, type OciSession } from "@charthouse/registry-oci";
import { mapConcurrent } from "./map_concurrent.ts";
import type { SyncNotes } from "./sync_notes.ts";

/** One chart repository of a registry and what is known of it before this sync. */
export interface RepositoryToRead {
  /** Its path in the registry (`org/charts/nginx`). */
  repository: string;
  /** The chart's name in Charthouse: the repository's last path segment. */
  chart: string;
  /** Its tags, as just listed. */
  tags: readonly string[];
  /** The versions stored for this chart (removed ones included). */
  stored: readonly StoredOciVersion[];
  /** What the last sync remembered of it, if any. */
  state: OciRepositoryState | undefined;
  /** Compare the manifest digests of known tags (HEAD requests) to notice re-pushed tags. */
  recheck: boolean;
}

/** What a tag is read with: its manifest, the manifest digest alone (HEAD), and the chart's config blob. */
export type OciReadSession = Pick<OciSession, "manifest" | "manifestDigest" | "chartConfig">;

/** What a repository holds now. */
export interface RepositoryReading {
  chart: string;
  /**
   * Every chart version the repository has now, known ones as stored; those read in this sync
   * carry their download URL (`oci://HOST/REPOSITORY@DIGEST` of the chart layer).
   */
  versions: IndexedVersion[];
  /** What to remember of the repository for the next sync. */
  state: OciRepositoryState;
  /** False when its tag list was unchanged and nothing beyond it was requested. */
  read: boolean;
}

/** Options of readRepository. */
export interface ReadRepositoryOptions {
  /** Manifests and config blobs fetched at once. */
  concurrency: number;
  notes: SyncNotes;
  now: Date;
}

/**
 * Turns a repository's tag list into chart versions at the least cost: an unchanged tag list
 * needs nothing more; otherwise only tags not seen before have their manifest and config blob
 * fetched (metadata before any layer), and on a re-check known tags are compared by manifest
 * digest (HEAD) so a re-pushed tag is read again.
 */
export async function readRepository(
  session: OciReadSession,
  reference: OciReference,
  input: RepositoryToRead,
  options: ReadRepositoryOptions,
): Promise<RepositoryReading> {
  const { repository, chart } = input;
  const tagsHash = tagListHash(input.tags);
  const current = input.stored.filter((v) => v.state !== "removed");
  if (input.state?.tagsHash === tagsHash && !input.recheck) {
    return { chart, versions: current.map(storedAsIndexed), state: input.state, read: false };
  }

  const storedByVersion = new Map(input.stored.map((v) => [v.version, v]));
  const knownSkipped = new Set(input.recheck ? [] : (input.state?.skippedTags ?? []));
  const skippedTags = new Set<string>();
  const kept: StoredOciVersion[] = [];
  const toCompare: { tag: string; version: string; stored: StoredOciVersion }[] = [];
  const toFetch: { tag: string; version: string }[] = [];
  const seenVersions = new Set<string>();

  for (const tag of input.tags) {
    if (knownSkipped.has(tag)) {
      skippedTags.add(tag);
      continue;
    }
    const version = tagToVersion(tag);
    if (version === null) {
      options.notes.add("not_a_chart", "Tags that are not chart versions (semantic versions) were skipped");
      continue;
    }
    if (seenVersions.has(version)) {
      options.notes.add("not_a_chart", `Tags naming a version already read from another tag were skipped (${repository}:${tag})`);
      continue;
    }
    seenVersions.add(version);
    const stored = storedByVersion.get(version);
    const fromThisTag = stored !== undefined && stored.state !== "removed" && stored.ociReference === tagReference(reference, repository, tag);
    if (!fromThisTag || stored.manifestDigest === null) toFetch.push({ tag, version });
    else if (input.recheck) toCompare.push({ tag, version, stored });
    else kept.push(stored);
  }

  const compared = await mapConcurrent(toCompare, options.concurrency, async (known) => ({
    known,
    digest: await session.manifestDigest(repository, known.tag),
  }));
  for (const { known, digest } of compared) {
    if (digest === known.stored.manifestDigest) kept.push(known.stored);
    else if (digest !== null) toFetch.push(known); // re-pushed: read again
    // null: deleted since the tag list was read; it is gone.
  }

  const fetched = await mapConcurrent(toFetch, options.concurrency, async ({ tag, version }) => {
    const manifest = await manifestOf(session, repository, tag, options.notes);
    if (manifest === null) return null;
    if (!manifest.isChart || manifest.chartLayer === null) {
      skippedTags.add(tag);
      options.notes.add("not_a_chart", `Artifacts that are not Helm charts were skipped (config media type ${manifest.configMediaType.slice(0, 100)})`);
      return null;
    }
    const config = await session.chartConfig(repository, manifest.configDigest);
    return versionRow({ reference, repository, chart, tag, version, manifest, config });
  });

  const versions = [...kept.map(storedAsIndexed), ...fetched.filter((v): v is IndexedVersion => v !== null)];
  const recheckedAt = input.recheck || input.state === undefined ? options.now : input.state.recheckedAt;
  return { chart, versions, state: { name: repository, tagsHash, skippedTags: [...skippedTags].sort(), recheckedAt }, read: true };
}

/** The manifest of a listed tag, or null (noted as `tag_not_found`) when the registry cannot serve it. */
async function manifestOf(session: OciReadSession, repository: string, tag: string, notes: SyncNotes): Promise<OciChartManifest | null> {
  try {
    return await session.manifest(repository, tag, { listed: true });
  } catch (err) {
    if (err instanceof CharthouseError && (err.code === "manifest_unknown" || err.code === "not_found" || err.code === "tag_not_found")) {
      notes.add("tag_not_found", `${repository}:${tag} is listed but its manifest cannot be fetched`);
      return null;
    }
    throw err;
  }
}

/** sha256 of the sorted tag list: equal lists, equal hashes. */
export function tagListHash(tags: readonly string[]): string {
  return createHash("sha256").update([...tags].sort().join("\n")).digest("hex");
}

/** Where a version was read from: `oci://HOST/REPOSITORY:TAG`. */
export function tagReference(reference: OciReference, repository: string, tag: string): string {
  return `oci://${reference.host}/${repository}:${tag}`;
}

function versionRow(read: {
  reference: OciReference;
  repository: string;
  chart: string;
  tag: string;
  version: string;
  manifest: OciChartManifest;
  config: Record<string, unknown>;
}): IndexedVersion {
  const { config, manifest } = read;
  const layer = manifest.chartLayer!;
  const { apiVersion, type, kubeVersion, icon, home, keywords, appVersion, description, deprecated, name: _n, version: _v, ...rest } = config;
  return {
    chart: read.chart,
    version: read.version,
    // The layer digest is the published digest: the download is verified against it.
    digest: layer.digest.startsWith("sha256:") ? layer.digest.slice("sha256:".length) : layer.digest,
    appVersion: text(appVersion),
    description: text(description),
    created: null,
    deprecated: deprecated === true,
    urls: [],
    ociReference: tagReference(read.reference, read.repository, read.tag),
    manifestDigest: manifest.digest,
    downloadUrl: `oci://${read.reference.host}/${read.repository}@${layer.digest}`,
    indexMetadata: {
      api_version: text(apiVersion),
      type: text(type),
      kube_version: text(kubeVersion),
      icon: text(icon),
      home: text(home),
      keywords: Array.isArray(keywords) ? keywords.filter((k): k is string => typeof k === "string") : [],
      ...rest,
      ...(manifest.provenanceLayer === null ? {} : { provenance_digest: manifest.provenanceLayer.digest }),
    },
  };
}

function storedAsIndexed(stored: StoredOciVersion): IndexedVersion {
  return {
    chart: stored.chart,
    version: stored.version,
    digest: stored.digest,
    appVersion: stored.appVersion,
    description: stored.description,
    created: null,
    deprecated: stored.deprecated,
    urls: [],
    ociReference: stored.ociReference,
    manifestDigest: stored.manifestDigest,
    // Kept as stored: not downloaded again, so no download URL is needed.
    downloadUrl: null,
    indexMetadata: stored.indexMetadata,
  };
}

function text(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}
