/**
 * Minimal Helm charts made in-process and pushed through the raw distribution API, laid out
 * exactly as `helm push` (v4) lays them out, so a benchmark can fill a registry with hundreds of
 * tags in seconds instead of running `helm push` hundreds of times.
 */
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { pack } from "tar-stream";

/** The media types `helm push` uses. */
export const helmMediaTypes = {
  manifest: "application/vnd.oci.image.manifest.v1+json",
  config: "application/vnd.cncf.helm.config.v1+json",
  chart: "application/vnd.cncf.helm.chart.content.v1.tar+gzip",
} as const;

/** The Chart.yaml fields of a benchmark chart. */
export interface MinimalChart {
  name: string;
  version: string;
  description: string;
}

/** What {@link pushRawChart} stored. */
export interface PushedRawChart {
  manifestDigest: string;
  layerDigest: string;
}

const archiveTime = new Date("2024-01-01T00:00:00Z");

/** A valid chart archive: `NAME/Chart.yaml` (apiVersion v2) and `NAME/values.yaml`, tar then gzip. */
export async function minimalChartArchive(chart: MinimalChart): Promise<Buffer> {
  const chartYaml =
    `apiVersion: v2\nname: ${chart.name}\nversion: ${chart.version}\n` + `description: ${JSON.stringify(chart.description)}\n`;
  const tar = pack();
  const collected = (async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of tar as AsyncIterable<Buffer>) chunks.push(chunk);
    return Buffer.concat(chunks);
  })();
  for (const [file, text] of [
    ["Chart.yaml", chartYaml],
    ["values.yaml", "replicaCount: 1\n"],
  ] as const) {
    tar.entry({ name: `${chart.name}/${file}`, mode: 0o644, mtime: archiveTime }, Buffer.from(text));
  }
  tar.finalize();
  return gzipSync(await collected);
}

/**
 * Pushes one chart as tag `chart.version` of `repository`: config blob (Chart.yaml as JSON),
 * chart layer, then the OCI manifest with helm's annotations. `registryUrl` is `http://HOST:PORT`.
 */
export async function pushRawChart(
  registryUrl: string,
  repository: string,
  options: { chart: MinimalChart; created: string },
): Promise<PushedRawChart> {
  const { chart, created } = options;
  // helm writes the config as its Metadata struct in JSON: field order name, version, description, apiVersion.
  const config = Buffer.from(JSON.stringify({ name: chart.name, version: chart.version, description: chart.description, apiVersion: "v2" }));
  const layer = await minimalChartArchive(chart);
  const [configDigest, layerDigest] = await Promise.all([uploadBlob(registryUrl, repository, config), uploadBlob(registryUrl, repository, layer)]);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      config: { mediaType: helmMediaTypes.config, digest: configDigest, size: config.length },
      layers: [{ mediaType: helmMediaTypes.chart, digest: layerDigest, size: layer.length }],
      annotations: {
        "org.opencontainers.image.created": created,
        "org.opencontainers.image.description": chart.description,
        "org.opencontainers.image.title": chart.name,
        "org.opencontainers.image.version": chart.version,
      },
    }),
  );
  // Helm pushes version 1.0.0+build as tag 1.0.0_build: OCI tags cannot hold "+".
  const tag = chart.version.replaceAll("+", "_");
  const response = await fetch(`${registryUrl}/v2/${repository}/manifests/${tag}`, {
    method: "PUT",
    headers: { "content-type": helmMediaTypes.manifest },
    body: manifest,
  });
  await expectStatus(response, 201, `PUT manifest ${repository}:${tag}`);
  return { manifestDigest: sha256Digest(manifest), layerDigest };
}

/** Uploads a blob (POST /blobs/uploads/, then PUT ?digest= with the whole body); returns its digest. */
async function uploadBlob(registryUrl: string, repository: string, blob: Buffer): Promise<string> {
  const digest = sha256Digest(blob);
  const started = await fetch(`${registryUrl}/v2/${repository}/blobs/uploads/`, { method: "POST" });
  await expectStatus(started, 202, `POST blob upload to ${repository}`);
  const location = started.headers.get("location");
  if (location === null) throw new Error(`The registry started an upload to ${repository} without a Location header`);
  const target = new URL(location, registryUrl);
  target.searchParams.set("digest", digest);
  const finished = await fetch(target, {
    method: "PUT",
    headers: { "content-type": "application/octet-stream" },
    body: blob,
  });
  await expectStatus(finished, 201, `PUT blob ${digest} to ${repository}`);
  return digest;
}

function sha256Digest(content: Buffer): string {
  return `sha256:${createHash("sha256").update(content).digest("hex")}`;
}

async function expectStatus(response: Response, status: number, what: string): Promise<void> {
  const text = await response.text();
  if (response.status !== status) {
    throw new Error(`${what} answered ${response.status}, expected ${status}: ${text.slice(0, 300)}`);
  }
}
