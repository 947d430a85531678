import type { ErrorCode } from "@charthouse/errors";
import type { SyncNote } from "@charthouse/catalog";

/** The most distinct notes one sync keeps; further ones are only counted under the last. */
const MAX_NOTES = 50;

/**
 * What a sync met that is not an error, counted: artifacts that are not charts, tags that are
 * not versions, rate limits waited out. Stored on the sync run for the user to read.
 */
export class SyncNotes {
  readonly #notes = new Map<string, SyncNote>();

  /** Counts one occurrence of `message` under `code`. */
  add(code: ErrorCode, message: string): void {
    const key = `${code}\u0000${message}`;
    const note = this.#notes.get(key);
    if (note !== undefined) {
      note.count += 1;
    } else if (this.#notes.size < MAX_NOTES) {
      this.#notes.set(key, { code, message, count: 1 });
    } else {
      this.add(code, "Further notes of this sync were not kept");
    }
  }

  /** How many times `code` was noted. */
  count(code: ErrorCode): number {
    let total = 0;
    for (const note of this.#notes.values()) if (note.code === code) total += note.count;
    return total;
  }

  /** The notes, in the order first met. */
  list(): SyncNote[] {
    return [...this.#notes.values()];
  }
}
