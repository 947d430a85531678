/** Limits applied while reading a YAML values document, so hostile input is refused quickly. */
export interface ValuesLimits {
  /** Largest document accepted, in UTF-8 bytes. */
  maxBytes: number;
  /** Deepest nesting of maps and lists accepted. */
  maxDepth: number;
  /** How often one anchor may be used, weighted by the aliases inside it (the `yaml` package's check). */
  maxAliasCount: number;
  /** Most maps, lists and scalars in the document once its aliases are expanded. */
  maxNodes: number;
  /** What the caller can do when the document is too large; ends the TooLargeError's solution. */
  tooLargeSolution: string;
  /**
   * Longest the reading may take before it is refused (the YAML tokens and the walk of the
   * value; composing takes about a third of the tokens' time more). None when absent.
   */
  maxReadMilliseconds?: number;
}

const MiB = 1024 * 1024;

/**
 * For a values file a user sends: 1 MiB, 100 levels. One million expanded nodes is about four
 * times what 1 MiB of plain YAML can hold, and walks in well under a second. Reading stops after
 * 600 ms, so that a file that is valid but slow to read (hundreds of thousands of tokens) is
 * refused within a second instead of holding the process.
 */
export const userValuesLimits: Readonly<ValuesLimits> = Object.freeze({
  maxBytes: 1 * MiB,
  maxDepth: 100,
  maxAliasCount: 1_000,
  maxNodes: 1_000_000,
  tooLargeSolution: "Send a values file of at most 1 MiB",
  maxReadMilliseconds: 600,
});

/** For a chart's own values.yaml, which the archive reader already capped at 5 MiB per file. */
export const chartValuesLimits: Readonly<ValuesLimits> = Object.freeze({
  maxBytes: 5 * MiB,
  maxDepth: 100,
  maxAliasCount: 1_000,
  maxNodes: 5_000_000,
  tooLargeSolution: "Values files over 5 MiB are not compared",
});
