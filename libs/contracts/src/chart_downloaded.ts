import { z } from "zod";
import { defineContract } from "./contract.ts";
import { streams } from "./streams.ts";

const chartDownloadedSchema = z.object({
  registryId: z.uuid(),
  versionId: z.uuid(),
  archiveSha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().nonnegative(),
});

/** An archive is stored under its sha256: extract its metadata. */
export const chartDownloaded = defineContract({
  subject: "chart.downloaded.v1",
  stream: streams.EXTRACTIONS.name,
  schema: chartDownloadedSchema,
  messageId: (p) => `${p.versionId}:downloaded:${p.archiveSha256}`,
});

/** The payload of chart.downloaded. */
export type ChartDownloaded = z.infer<typeof chartDownloadedSchema>;
