/** The two versions a comparison shows. */
export interface ComparePair {
  from: string;
  to: string;
}

/**
 * Which versions to compare, given the ready versions newest first: the ones chosen (when still
 * ready), else `to` is the selected version and `from` the one before it (the next older, or the
 * next newer for the oldest). Null when no version is ready.
 */
export function comparePair(
  readyNewestFirst: readonly string[],
  selected: string | null,
  chosen: { from?: string | null; to?: string | null } = {},
): ComparePair | null {
  const ready = new Set(readyNewestFirst);
  const first = readyNewestFirst[0];
  if (first === undefined) return null;
  const pick = (...candidates: (string | null | undefined)[]): string | undefined =>
    candidates.find((c): c is string => typeof c === "string" && ready.has(c));
  const to = pick(chosen.to, selected) ?? first;
  const index = readyNewestFirst.indexOf(to);
  const from = pick(chosen.from, readyNewestFirst[index + 1], readyNewestFirst[index - 1]) ?? to;
  return { from, to };
}
