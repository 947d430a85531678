import { registryStream, type RegistryRequestOptions, type RegistryResponseHead } from "./registry_stream.ts";

/** A registry's answer with its whole body in memory. */
export interface RegistryResponse extends RegistryResponseHead {
  /** The body (decoded when `decompress` is on), or null for HEAD, 204 and 304. */
  body: Uint8Array | null;
}

/** Sends a request to a registry and reads the whole body under the size cap (indexes, manifests). */
export async function registryRequest(url: string | URL, options: RegistryRequestOptions): Promise<RegistryResponse> {
  const response = await registryStream(url, options);
  const { status, headers } = response;
  if (options.method === "HEAD" || status === 204 || status === 304) {
    response.cancel();
    return { status, headers, url: response.url, body: null };
  }
  const chunks: Uint8Array[] = [];
  for await (const chunk of response.body) chunks.push(chunk);
  return { status, headers, url: response.url, body: Buffer.concat(chunks) };
}
