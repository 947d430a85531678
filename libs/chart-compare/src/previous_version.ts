import { compareVersionsDesc } from "@charthouse/catalog";

/**
 * Of `versions`, the one just before `current` in Helm's version order (the newest of those older
 * than it), or null when none is older. A version equal to `current` is never its own previous.
 */
export function previousVersion<V extends { version: string }>(versions: readonly V[], current: string): V | null {
  let previous: V | null = null;
  for (const candidate of versions) {
    if (candidate.version === current || compareVersionsDesc(candidate.version, current) <= 0) continue;
    if (previous === null || compareVersionsDesc(candidate.version, previous.version) < 0) previous = candidate;
  }
  return previous;
}
