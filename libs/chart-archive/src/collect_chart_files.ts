import { pipeline } from "node:stream/promises";
import { createGunzip, gunzipSync } from "node:zlib";
import { CharthouseError, InputError } from "@charthouse/errors";
import { extract as createTarExtract } from "tar-stream";
import { parseArchiveEntryPath, quoteEntryName } from "./archive_entry_path.ts";
import { createByteLimitStream } from "./byte_limit_stream.ts";
import type { ChartArchiveLimits } from "./chart_archive_limits.ts";
import { chartArchiveLimitError } from "./chart_archive_limits.ts";
import { readmeRank } from "./chart_readme.ts";

/** The top-level chart files a reader needs, buffered, and the totals of the whole archive. */
export interface CollectedChartFiles {
  /** The archive's one top folder ("." for `./Chart.yaml` archives), or null when it has no entries. */
  topFolder: string | null;
  chartYaml: Uint8Array | null;
  /** The best README by Helm's preference, with its name inside the top folder. */
  readme: { name: string; bytes: Uint8Array } | null;
  valuesYaml: Uint8Array | null;
  valuesYml: Uint8Array | null;
  valuesSchema: Uint8Array | null;
  /** Regular files in the archive, subcharts included. */
  files: number;
  /** Their total size once decompressed. */
  unpackedBytes: number;
}

/** Tar headers, padding and long-name records allowed per file on top of the files' own bytes. */
const tarOverheadPerFile = 4096;

/** A tar entry as tar-stream yields it; `type` is null at run time for type flags it does not know. */
type EntryStream = AsyncIterable<unknown> & { header: { name: string; size: number; type: string | null } };

/** Go's archive/tar, which Helm uses, also reads pre-POSIX (v7) headers without the "ustar" magic. */
const extractOptions: Parameters<typeof createTarExtract>[0] & { allowUnknownFormat: boolean } = {
  allowUnknownFormat: true,
};

/**
 * Gunzips and walks a chart .tgz held in memory, refusing unsafe entries and enforcing the limits,
 * and buffers only Chart.yaml, the READMEs, values.yaml and values.schema.json of the top folder;
 * every other file (subcharts under charts/ included) is read through and only counted.
 */
export async function collectChartFiles(bytes: Uint8Array, limits: ChartArchiveLimits): Promise<CollectedChartFiles> {
  const collected: CollectedChartFiles = {
    topFolder: null,
    chartYaml: null,
    readme: null,
    valuesYaml: null,
    valuesYml: null,
    valuesSchema: null,
    files: 0,
    unpackedBytes: 0,
  };
  const streamLimit = limits.maxUnpackedBytes + (limits.maxFiles + 16) * tarOverheadPerFile;
  const extract = createTarExtract(extractOptions);
  const inflated = inflateSmall(bytes, streamLimit);
  let piping: Promise<unknown> = Promise.resolve();
  let stopInflating = (): void => undefined;
  if (inflated !== null) {
    extract.end(inflated);
  } else {
    const gunzip = createGunzip();
    const limiter = createByteLimitStream(streamLimit, () =>
      chartArchiveLimitError(
        "maxUnpackedBytes",
        limits,
        `Cannot read chart archive: it decompresses to more than ${streamLimit} bytes of tar data`,
      ),
    );
    // Errors of the pipeline reach the loop below through `extract`; this only keeps them handled.
    piping = pipeline(gunzip, limiter, extract).catch((err: unknown) => err);
    stopInflating = () => {
      gunzip.destroy();
      limiter.destroy();
    };
    gunzip.end(bytes);
  }
  try {
    for await (const entry of extract) {
      await collectEntry(entry, collected, limits);
    }
  } catch (err) {
    throw describeArchiveError(err);
  } finally {
    stopInflating();
    extract.destroy();
    await piping;
  }
  return collected;
}

/** Archives up to this size (nearly every chart) are inflated in one call rather than through streams... */
const smallArchiveBytes = 256 * 1024;
/** ...when they inflate to at most this much tar, which bounds the time the call holds the event loop. */
const smallTarBytes = 8 * 1024 * 1024;

/**
 * The tar inside a small archive, inflated at once; null for a large archive, one that inflates
 * to more than the small or the streamed limit, or one that fails: the streamed path reads those
 * and says what is wrong with them.
 */
function inflateSmall(bytes: Uint8Array, streamLimit: number): Buffer | null {
  if (bytes.byteLength > smallArchiveBytes) return null;
  try {
    const tar = gunzipSync(bytes, { maxOutputLength: smallTarBytes });
    return tar.byteLength > streamLimit ? null : tar;
  } catch {
    return null;
  }
}

async function collectEntry(entry: EntryStream, collected: CollectedChartFiles, limits: ChartArchiveLimits): Promise<void> {
  const { header } = entry;
  const name = header.name;
  const type = header.type ?? "unknown";
  if (type === "symlink" || type === "link") {
    const kind = type === "link" ? "hard" : "symbolic";
    throw invalid(`Cannot read chart archive: entry ${quoteEntryName(name)} is a ${kind} link; charts may not contain links`);
  }
  if (type !== "file" && type !== "contiguous-file" && type !== "directory") {
    throw invalid(`Cannot read chart archive: entry ${quoteEntryName(name)} is a ${type}, not a file or folder`);
  }
  const { top, path } = parseArchiveEntryPath(name);
  if (type !== "directory" && path === "") {
    throw invalid(`Cannot read chart archive: file ${quoteEntryName(name)} is not inside the chart's folder`);
  }
  if (collected.topFolder === null) {
    collected.topFolder = top;
  } else if (collected.topFolder !== top) {
    throw invalid(
      `Cannot read chart archive: it has more than one top folder (${quoteEntryName(collected.topFolder)} and ${quoteEntryName(top)})`,
    );
  }
  if (type === "directory") {
    await drain(entry);
    return;
  }

  const size = header.size;
  collected.files += 1;
  if (collected.files > limits.maxFiles) {
    throw chartArchiveLimitError("maxFiles", limits, "Cannot read chart archive: it has too many files");
  }
  if (size > limits.maxFileBytes) {
    throw chartArchiveLimitError("maxFileBytes", limits, `Cannot read chart archive: file ${quoteEntryName(name)} is ${size} bytes`);
  }
  collected.unpackedBytes += size;
  if (collected.unpackedBytes > limits.maxUnpackedBytes) {
    throw chartArchiveLimitError(
      "maxUnpackedBytes",
      limits,
      `Cannot read chart archive: its files add up to ${collected.unpackedBytes} bytes at ${quoteEntryName(name)}`,
    );
  }

  // Only files directly in the top folder matter; "charts/..." holds subcharts.
  if (path === "Chart.yaml") {
    collected.chartYaml = await readAll(entry, size);
  } else if (path === "values.yaml") {
    collected.valuesYaml = await readAll(entry, size);
  } else if (path === "values.yml") {
    collected.valuesYml = await readAll(entry, size);
  } else if (path === "values.schema.json") {
    collected.valuesSchema = await readAll(entry, size);
  } else if (isBetterReadme(path, collected.readme?.name ?? null)) {
    collected.readme = { name: path, bytes: await readAll(entry, size) };
  } else {
    await drain(entry);
  }
}

/** True when `path` is a top-level README preferred over the one already kept (the first of equals wins). */
function isBetterReadme(path: string, current: string | null): boolean {
  const rank = readmeRank(path);
  if (rank === null) return false;
  if (current === null) return true;
  const currentRank = readmeRank(current);
  return currentRank === null || rank < currentRank;
}

async function readAll(entry: EntryStream, size: number): Promise<Uint8Array> {
  const bytes = new Uint8Array(size);
  let offset = 0;
  for await (const chunk of entry) {
    // tar-stream yields Buffers, never more than the header's size; the checks keep that an invariant here.
    if (!(chunk instanceof Uint8Array) || offset + chunk.byteLength > size) {
      throw invalid(`Cannot read chart archive: entry ${quoteEntryName(entry.header.name)} is longer than its header says`);
    }
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return offset === size ? bytes : bytes.subarray(0, offset);
}

async function drain(entry: EntryStream): Promise<void> {
  for await (const _chunk of entry) {
    // Read through: the sizes were counted from the header and the stream itself is capped.
  }
}

/** Keeps Charthouse errors and turns gzip and tar failures into invalid_chart. */
function describeArchiveError(err: unknown): CharthouseError {
  if (err instanceof CharthouseError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const code = typeof err === "object" && err !== null && "code" in err ? String(err.code) : "";
  if (code.startsWith("Z_") || code.startsWith("ERR_ZLIB")) {
    return new InputError(`Cannot decompress chart archive: ${message}`, { code: "invalid_chart", cause: err });
  }
  return new InputError(`Cannot read chart archive as tar: ${message}`, { code: "invalid_chart", cause: err });
}

function invalid(message: string): InputError {
  return new InputError(message, { code: "invalid_chart" });
}
