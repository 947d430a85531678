import { brotliDecompressSync, gunzipSync, inflateSync } from "node:zlib";
import type { Readable } from "node:stream";
import { releaseBody } from "./limited_body.ts";

const errorTextBytes = 4096;

/** Reads the start of an error response for its message, best effort and bounded in size and time. */
export async function readErrorText(
  body: Readable,
  encoding: string | undefined,
  timeoutMs: number,
): Promise<string> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const timer = setTimeout(() => releaseBody(body), timeoutMs);
  try {
    for await (const chunk of body as AsyncIterable<Uint8Array>) {
      chunks.push(chunk);
      total += chunk.byteLength;
      if (total >= errorTextBytes) break;
    }
  } catch {
    // The status is what matters; a body that fails to arrive adds nothing to it.
  } finally {
    clearTimeout(timer);
    releaseBody(body);
  }
  let bytes: Uint8Array = Buffer.concat(chunks).subarray(0, errorTextBytes);
  const coding = (encoding ?? "").trim().toLowerCase();
  try {
    const limits = { maxOutputLength: errorTextBytes };
    if (coding === "gzip" || coding === "x-gzip") bytes = gunzipSync(bytes, limits);
    else if (coding === "br") bytes = brotliDecompressSync(bytes, limits);
    else if (coding === "deflate") bytes = inflateSync(bytes, limits);
  } catch {
    return "";
  }
  return new TextDecoder("utf-8", { fatal: false }).decode(bytes);
}
