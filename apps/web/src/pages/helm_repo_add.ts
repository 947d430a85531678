/**
 * The `helm repo add` line that reads a registry back from Charthouse as a Helm repository
 * (GET /helm/{name}/index.yaml). The token stays a shell variable: the page never shows it.
 */
export function helmRepoAddCommand(registryName: string, origin: string): string {
  const alias = registryName.toLowerCase().replace(/[^a-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "") || "charthouse";
  const url = `${origin.replace(/\/+$/, "")}/helm/${encodeURIComponent(registryName)}`;
  return `helm repo add ${alias} ${url} --username charthouse --password "$CHARTHOUSE_TOKEN"`;
}
