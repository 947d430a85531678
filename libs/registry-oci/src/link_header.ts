/**
 * The `rel="next"` target of a `Link` header (RFC 8288), resolved against the URL the header came
 * with; undefined when there is none.
 */
export function nextLink(header: string | undefined, base: string | URL): URL | undefined {
  if (header === undefined) return undefined;
  const link = /<([^>]*)>((?:\s*;\s*[^;,<]*)*)/g;
  for (let match = link.exec(header); match !== null; match = link.exec(header)) {
    const params = match[2] ?? "";
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(params);
    const relations = (rel?.[1] ?? rel?.[2] ?? "").toLowerCase().split(/\s+/);
    if (!relations.includes("next")) continue;
    try {
      return new URL(match[1] ?? "", base);
    } catch {
      return undefined;
    }
  }
  return undefined;
}
