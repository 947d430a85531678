/**
 * Decodes a text file from a chart as UTF-8: a leading byte order mark is dropped (as Helm does)
 * and invalid byte sequences become U+FFFD instead of failing.
 */
export function decodeChartText(bytes: Uint8Array): string {
  // ignoreBOM: false makes TextDecoder drop a leading UTF-8 BOM.
  return new TextDecoder("utf-8", { fatal: false, ignoreBOM: false }).decode(bytes);
}
