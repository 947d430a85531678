import type { VersionWork } from "@charthouse/db";
import { InputError } from "@charthouse/errors";
import { registryStream, type RegistryStreamResponse } from "@charthouse/outbound-http";
import { parseOciReference, type OciClient } from "@charthouse/registry-oci";
import type { RegistryAccess } from "@charthouse/service-runtime/registry-access";

/** Where archives come from: HTTP chart repositories and OCI registries. */
export interface ArchiveSources {
  access: RegistryAccess;
  oci: OciClient;
  /** Hosts spoken to over plain HTTP besides loopback (CHARTHOUSE_OCI_PLAIN_HTTP_HOSTS). */
  plainHttpHosts: readonly string[];
  maxArchiveBytes: number;
}

/** An archive opened for streaming: its bytes as they arrive, and the URL they came from (after redirects). */
export type OpenedArchive = Pick<RegistryStreamResponse, "url" | "body">;

/** Opens the archive a download request names, for the version it belongs to. */
export interface ArchiveOpener {
  open(url: string, work: VersionWork): Promise<OpenedArchive>;
}

/** The opener over real HTTP chart repositories and OCI registries (openArchive). */
export function archiveOpener(sources: ArchiveSources): ArchiveOpener {
  return { open: (url, work) => openArchive(sources, url, work) };
}

/**
 * Opens a version's archive for streaming: an http(s) URL from an index, or the chart layer of
 * an OCI artifact (`oci://HOST/REPOSITORY@sha256:...`). The registry's credential goes only to
 * the registry's own origin, never to a chart URL or redirect elsewhere.
 */
export async function openArchive(sources: ArchiveSources, url: string, work: VersionWork): Promise<RegistryStreamResponse> {
  const limits = { maxBytes: sources.maxArchiveBytes, limitSetting: "CHARTHOUSE_MAX_ARCHIVE_BYTES" };
  const { access } = sources;
  if (!url.startsWith("oci://")) {
    const auth = await access.authorize(work.registry.credential, work.registry.url);
    return await access.breakers.run(new URL(url).origin, () =>
      registryStream(url, {
        ...limits,
        ...access.request,
        decompress: false,
        acceptStatuses: [200],
        ...(auth === undefined ? {} : { auth, authOrigin: work.registry.url }),
      }),
    );
  }
  const at = url.lastIndexOf("@");
  if (at < 0) throw new InputError(`${url} names no digest`, { code: "invalid_reference" });
  const options = { plainHttpHosts: sources.plainHttpHosts };
  const reference = parseOciReference(url.slice(0, at), options);
  const registry = parseOciReference(work.registry.url, options);
  const credential = reference.apiBase === registry.apiBase ? work.registry.credential : null;
  const session = sources.oci.session({ ...reference, path: "" }, credential);
  return await session.openBlob(reference.path, url.slice(at + 1), limits);
}
