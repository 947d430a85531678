import { fetchIndex } from "@charthouse/registry-http";
import type { RegistryAccess } from "@charthouse/service-runtime/registry-access";
import { indexUrlOf } from "../handlers/index_location.ts";
import type { IndexSource } from "../handlers/index_source.ts";

/**
 * Reads index.yaml over HTTP(S): a conditional GET with the validators of the last 200, signed
 * in with the registry's credential, through the circuit breaker of the index's host.
 */
export function httpIndexSource(access: RegistryAccess, limits: { maxIndexBytes: number }): IndexSource {
  return {
    async fetch(registry, options = {}) {
      const indexUrl = indexUrlOf(registry.url);
      const auth = await access.authorize(registry.credential, registry.url);
      return await access.breakers.run(indexUrl.origin, () =>
        fetchIndex(indexUrl, {
          validators: { etag: registry.etag, lastModified: registry.lastModified },
          auth,
          repositoryUrl: registry.url,
          maxBytes: limits.maxIndexBytes,
          ...access.request,
          ...(options.beforeBody === undefined ? {} : { beforeBody: options.beforeBody }),
        }),
      );
    },
  };
}
