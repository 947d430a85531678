import { storableText, UpstreamError } from "@charthouse/errors";
import { isContentDigest } from "./content_digest.ts";
import { ociMediaTypes } from "./media_types.ts";

/** What Charthouse needs from the manifest of one tag. */
export interface OciChartManifest {
  /** The manifest's digest (`sha256:...`), verified against its bytes. */
  digest: string;
  /** True when the config is Helm's (`application/vnd.cncf.helm.config.v1+json`). */
  isChart: boolean;
  /** The config's media type; for an image index, the index's own media type. */
  configMediaType: string;
  /** The config blob's digest; "" for an image index, which has no config. */
  configDigest: string;
  /** The chart archive layer (Helm's media type, or the legacy `application/tar+gzip`). */
  chartLayer: { digest: string; size: number } | null;
  /** The provenance layer (`.prov`), when the chart was pushed signed. */
  provenanceLayer: { digest: string; size: number } | null;
}

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}

/** Reads a manifest body into an OciChartManifest; throws `registry_error` when it is not a manifest. */
export function parseOciManifest(body: Uint8Array, digest: string, what: string, contentType: string | undefined): OciChartManifest {
  let document: unknown;
  try {
    document = JSON.parse(Buffer.from(body).toString("utf8"));
  } catch (err) {
    throw malformed(what, "it is not JSON", err);
  }
  if (!isRecord(document)) throw malformed(what, "it is not a JSON object");
  const mediaType = storableText(typeof document.mediaType === "string" ? document.mediaType : (contentType ?? "").split(";")[0]?.trim() ?? "");
  if (mediaType === ociMediaTypes.ociIndex || mediaType === ociMediaTypes.dockerManifestList || Array.isArray(document.manifests)) {
    return { digest, isChart: false, configMediaType: mediaType || ociMediaTypes.ociIndex, configDigest: "", chartLayer: null, provenanceLayer: null };
  }
  if (document.schemaVersion !== 2) throw malformed(what, `schemaVersion is ${JSON.stringify(document.schemaVersion)}, not 2`);
  const config = descriptor(document.config, `${what}: config`);
  if (!Array.isArray(document.layers)) throw malformed(what, "layers is not a list");
  const layers = document.layers.map((layer, index) => descriptor(layer, `${what}: layers[${index}]`));
  const find = (...types: string[]): { digest: string; size: number } | null => {
    const layer = layers.find((candidate) => types.includes(candidate.mediaType));
    return layer === undefined ? null : { digest: layer.digest, size: layer.size };
  };
  return {
    digest,
    isChart: config.mediaType === ociMediaTypes.helmConfig,
    configMediaType: config.mediaType,
    configDigest: config.digest,
    chartLayer: find(ociMediaTypes.helmChartContent, ociMediaTypes.legacyChartContent),
    provenanceLayer: find(ociMediaTypes.helmProvenance),
  };
}

function descriptor(value: unknown, what: string): Descriptor {
  if (!isRecord(value)) throw malformed(what, "it is not an object");
  const { mediaType, digest, size } = value;
  if (typeof mediaType !== "string" || mediaType === "") throw malformed(what, "mediaType is missing");
  if (typeof digest !== "string" || !isContentDigest(digest)) throw malformed(what, "digest is not a sha256 or sha512 digest");
  if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0) throw malformed(what, "size is not a whole number");
  return { mediaType: storableText(mediaType), digest, size };
}

function malformed(what: string, why: string, cause?: unknown): UpstreamError {
  return new UpstreamError("registry_error", `The manifest of ${what} is malformed: ${why}`, {
    status: 200,
    ...(cause === undefined ? {} : { cause }),
    solution: "The registry serves an invalid manifest; push the chart again",
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
