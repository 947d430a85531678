import { registryRequest } from "@charthouse/outbound-http";

/** Limits of the requests a provider library sends through registryFetch. */
export interface RegistryFetchOptions {
  timeoutMs: number;
  blockPrivateNetworks: boolean;
  /** Largest answer read, in bytes. */
  maxBytes: number;
}

// Every status is handed back to the library, which reads its own error format.
const everyStatus = Array.from({ length: 500 }, (_, i) => i + 100);

/**
 * A `fetch` for provider libraries that take one (google-auth-library, which posts the signed
 * assertion to the key file's `token_uri`): the request goes through registryRequest, so the
 * destination guard, time limits and size cap apply. It sends GET, or POST with a form body.
 */
export function registryFetch(options: RegistryFetchOptions): typeof fetch {
  return (async (input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<Response> => {
    const url = input instanceof Request ? input.url : String(input);
    const method = (init?.method ?? (input instanceof Request ? input.method : "GET")).toUpperCase();
    if (method !== "GET" && method !== "POST") throw new TypeError(`registryFetch does not send ${method}`);
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, name) => {
      // registryRequest sets these itself (and a POST is always a form).
      if (!["authorization", "host", "accept-encoding", "content-type", "content-length", "user-agent"].includes(name)) headers[name] = value;
    });
    const answer = await registryRequest(url, {
      method,
      ...(method === "POST" ? { form: Object.fromEntries(new URLSearchParams(bodyText(init?.body))) } : {}),
      headers,
      maxBytes: options.maxBytes,
      limitSetting: "the sign-in response limit",
      timeoutMs: options.timeoutMs,
      bodyTimeoutMs: options.timeoutMs,
      followRedirects: false,
      blockPrivateNetworks: options.blockPrivateNetworks,
      acceptStatuses: everyStatus,
    });
    const noBody = answer.status === 204 || answer.status === 304 || answer.body === null;
    return new Response(noBody ? null : answer.body, { status: answer.status, headers: answer.headers });
  }) as typeof fetch;
}

function bodyText(body: RequestInit["body"]): string {
  if (body === undefined || body === null) return "";
  if (typeof body === "string") return body;
  if (body instanceof URLSearchParams) return body.toString();
  if (body instanceof Uint8Array || body instanceof ArrayBuffer) return Buffer.from(body as Uint8Array).toString("utf8");
  throw new TypeError("registryFetch sends only form bodies");
}
