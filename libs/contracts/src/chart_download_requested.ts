import { z } from "zod";
import { defineContract } from "./contract.ts";
import { streams } from "./streams.ts";

const chartDownloadRequestedSchema = z.object({
  registryId: z.uuid(),
  versionId: z.uuid(),
  chart: z.string().min(1),
  version: z.string().min(1),
  /**
   * Where the archive is: an http(s) URL already resolved against the index URL, or the chart
   * layer of an OCI artifact as `oci://HOST/REPOSITORY@sha256:HEX`.
   */
  url: z.url(),
  /** The published sha256 (lowercase hex: the index's digest, or the OCI layer's), or null when none is published. */
  expectedDigest: z.string().regex(/^[0-9a-f]{64}$/).nullable(),
  /**
   * How often the version was re-opened (a failed version retried, a stuck one or a dead letter
   * sent again): a new round is a new message, never dropped as a duplicate of the last one.
   */
  round: z.number().int().nonnegative().default(0),
});

/** Download and verify one chart version's archive. */
export const chartDownloadRequested = defineContract({
  subject: "chart.download.requested.v1",
  stream: streams.DOWNLOADS.name,
  schema: chartDownloadRequestedSchema,
  messageId: (p) => `${p.versionId}:download:${p.expectedDigest ?? "nodigest"}${p.round > 0 ? `:${p.round}` : ""}`,
});

/** The payload of a download request. */
export type ChartDownloadRequested = z.infer<typeof chartDownloadRequestedSchema>;

/**
 * The digest a download is verified against: the index's digest when it is a sha256, else null
 * (some hand-written or test indexes publish none, or something shorter that cannot be checked).
 */
export function verifiableDigest(digest: string | null): string | null {
  return digest !== null && /^[0-9a-f]{64}$/.test(digest) ? digest : null;
}
