/**
 * A registry name suggested by its URL: the last path segment, or the host without "www." and
 * its last label ("https://argoproj.github.io/argo-helm" -> "argo-helm",
 * "https://charts.bitnami.com/bitnami" -> "bitnami", "oci://ghcr.io/org/charts" -> "org-charts").
 */
export function suggestRegistryName(url: string): string {
  const match = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]+)([^?#]*)/i.exec(url.trim());
  if (!match) return "";
  const host = (match[1] ?? "").replace(/^.*@/, "").replace(/:\d+$/, "").replace(/^www\./, "");
  const segments = (match[2] ?? "").split("/").filter((s) => s !== "" && s !== "index.yaml");
  const generic = new Set(["charts", "chart", "helm", "stable", "repository", "chartrepo"]);
  let name: string;
  const last = segments[segments.length - 1];
  if (last === undefined) name = /^[\d.]+$/.test(host) ? host : host.split(".").slice(0, -1).join("-") || host;
  else if (generic.has(last.toLowerCase()) && segments.length > 1) name = `${segments[segments.length - 2]}-${last}`;
  else name = last;
  return name
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 100);
}
