import type { Readable } from "node:stream";
import { pipeline } from "node:stream";
import { createBrotliDecompress, createGunzip, createInflate, type BrotliDecompress, type Gunzip, type Inflate } from "node:zlib";
import { CharthouseError, TooLargeError, UpstreamError } from "@charthouse/errors";
import type { ReadDeadline } from "./read_deadline.ts";
import { errorForTransportFailure } from "./transport_error.ts";

/** The content codings Charthouse asks for on indexes and decodes itself. */
export const decodableEncodings = ["gzip", "x-gzip", "br", "deflate"] as const;

/** How to read one response body. */
export interface BodyReading {
  method: string;
  displayUrl: string;
  status: number;
  maxBytes: number;
  limitSetting: string;
  /** The content coding to undo, or undefined to hand the bytes over as sent. */
  decode: (typeof decodableEncodings)[number] | undefined;
  /** The caller's signal: its abort reason is rethrown as is, never mapped. */
  signal: AbortSignal | undefined;
  /** The read's total deadline, stopped when the body ends; its expiry is a TimeoutError. */
  deadline?: ReadDeadline | undefined;
}

/**
 * Streams a response body under its size cap (on the bytes as sent, and after decoding) and
 * maps read failures (stall, reset, corrupt compression) to Charthouse errors. The socket is
 * released as soon as the iteration ends, fails or is abandoned.
 */
export async function* limitedBody(raw: Readable, reading: BodyReading): AsyncGenerator<Uint8Array, void, undefined> {
  let rawError: unknown;
  raw.on("error", (err: unknown) => {
    rawError ??= err;
  });
  try {
    const sent = capped(raw, reading, "");
    if (reading.decode === undefined) {
      yield* sent;
      return;
    }
    const chunks = sent[Symbol.asyncIterator]();
    const first = await chunks.next();
    if (first.done === true) return;
    const decoder = createDecoder(reading.decode);
    pipeline(
      (async function* () {
        yield first.value;
        for (let next = await chunks.next(); next.done !== true; next = await chunks.next()) yield next.value;
      })(),
      decoder,
      () => {},
    );
    yield* capped(decoder, reading, " once decompressed");
  } catch (err) {
    if (reading.signal?.aborted === true) throw reading.signal.reason;
    // What really happened first (a size limit reached) stands, even if the deadline passed meanwhile.
    if (err instanceof CharthouseError) throw err;
    if (reading.deadline?.expired() === true) throw reading.deadline.error(reading.method, reading.displayUrl, err);
    if (rawError !== undefined || !isDecodingError(err)) {
      throw errorForTransportFailure(rawError ?? err, reading.method, reading.displayUrl, "body");
    }
    throw new UpstreamError("registry_error", `Cannot decompress the ${reading.decode ?? ""} body of ${reading.method} ${reading.displayUrl}`, {
      status: reading.status,
      cause: err,
      solution: "The registry sends a corrupt compressed response; check the registry or the proxy in front of it",
    });
  } finally {
    reading.deadline?.clear();
    releaseBody(raw);
  }
}

async function* capped(source: AsyncIterable<Uint8Array>, reading: BodyReading, stage: string): AsyncGenerator<Uint8Array, void, undefined> {
  let total = 0;
  for await (const chunk of source) {
    total += chunk.byteLength;
    if (total > reading.maxBytes) {
      throw new TooLargeError(
        `${reading.method} ${reading.displayUrl} is larger than ${reading.maxBytes} bytes${stage} (${reading.limitSetting})`,
        { setting: reading.limitSetting },
      );
    }
    yield chunk;
  }
}

function createDecoder(encoding: (typeof decodableEncodings)[number]): Gunzip | BrotliDecompress | Inflate {
  if (encoding === "br") return createBrotliDecompress();
  if (encoding === "deflate") return createInflate();
  // Strict: a truncated stream fails instead of yielding a silently shortened index.
  return createGunzip();
}

function isDecodingError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && (code.startsWith("Z_") || code.includes("BROTLI") || code.startsWith("ERR__ERROR"));
}

/** Releases a response body's connection without reading it; the abort this causes is expected. */
export function releaseBody(raw: Readable): void {
  if (raw.destroyed) return;
  raw.on("error", () => {});
  raw.destroy();
}
