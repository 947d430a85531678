/**
 * A URL as it may appear in messages and logs: no user info, and query values hidden because
 * registries and CDNs put signatures and tokens there (S3 pre-signed URLs, `?token=`).
 */
export function displayUrl(url: URL | string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "(invalid URL)";
  }
  const names = [...new Set(parsed.searchParams.keys())];
  const query = names.length === 0 ? "" : `?${names.map((name) => `${name}=…`).join("&")}`;
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}${query}`;
}
