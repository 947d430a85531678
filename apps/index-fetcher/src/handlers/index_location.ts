/**
 * Where a repository's index.yaml is, the way Helm finds it: the repository URL plus
 * `/index.yaml`. A URL that already names the index file is used as it is.
 */
export function indexUrlOf(repositoryUrl: string): URL {
  const url = new URL(repositoryUrl);
  if (/\/index\.(yaml|yml|json)$/i.test(url.pathname)) return url;
  url.pathname = `${url.pathname.replace(/\/+$/, "")}/index.yaml`;
  return url;
}
