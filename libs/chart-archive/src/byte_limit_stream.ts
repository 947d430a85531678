import { Transform } from "node:stream";
import type { TransformCallback } from "node:stream";

/**
 * A pass-through stream that fails with `onExceeded()` as soon as more than `limit` bytes went
 * through it, so a decompression bomb stops after a few chunks instead of inflating to the end.
 */
export function createByteLimitStream(limit: number, onExceeded: () => Error): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
      seen += chunk.byteLength;
      if (seen > limit) {
        callback(onExceeded());
        return;
      }
      callback(null, chunk);
    },
  });
}
