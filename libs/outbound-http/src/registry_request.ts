import { registryStream, type RegistryRequestOptions, type RegistryResponseHead } from "./registry_stream.ts";

/** A registry's answer with its whole body in memory. */
export interface RegistryResponse extends RegistryResponseHead {
  /** The body (decoded when `decompress` is on), or null for HEAD, 204 and 304. */
  body: Uint8Array | null;
}

/** A whole-body request's options: a streamed request's, and what runs before the body is read. */
export interface RegistryBodyRequestOptions extends RegistryRequestOptions {
  /**
   * Awaited once the head of an answer with a body has come, before the body is read, so the
   * caller can bound how many bodies it holds at once. Meanwhile the body waits in the socket
   * (the idle timeout is paused with it; the read deadline is not). If it throws, the request is
   * cancelled and the error passes on.
   */
  beforeBody?: () => Promise<void>;
}

/** Sends a request to a registry and reads the whole body under the size cap (indexes, manifests). */
export async function registryRequest(url: string | URL, options: RegistryBodyRequestOptions): Promise<RegistryResponse> {
  const response = await registryStream(url, options);
  const { status, headers } = response;
  if (options.method === "HEAD" || status === 204 || status === 304) {
    response.cancel();
    return { status, headers, url: response.url, body: null };
  }
  if (options.beforeBody !== undefined) {
    try {
      await options.beforeBody();
    } catch (err) {
      response.cancel();
      throw err;
    }
  }
  const chunks: Uint8Array[] = [];
  for await (const chunk of response.body) chunks.push(chunk);
  return { status, headers, url: response.url, body: Buffer.concat(chunks) };
}
