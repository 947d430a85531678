import { ApiProblem, problemFromBody } from "./api_problem.ts";

/** The base path of the REST API, on the origin that serves the UI. */
export const apiBase = "/api/v1";

/** Calls the REST API with a bearer token in the Authorization header (never in a URL). */
export class ApiClient {
  readonly #token: string;
  readonly #onUnauthorized: () => void;

  constructor(token: string, options: { onUnauthorized?: () => void } = {}) {
    this.#token = token;
    this.#onUnauthorized = options.onUnauthorized ?? (() => undefined);
  }

  /** The token, for the event stream's own request. */
  get token(): string {
    return this.#token;
  }

  /** GET returning parsed JSON. */
  async getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
    const response = await this.request("GET", path, { signal });
    return (await response.json()) as T;
  }

  /** GET returning text (README, values.yaml, schema). */
  async getText(path: string, signal?: AbortSignal): Promise<string> {
    const response = await this.request("GET", path, { signal });
    return await response.text();
  }

  /** GET returning bytes (the chart archive). */
  async getBlob(path: string): Promise<Blob> {
    const response = await this.request("GET", path);
    return await response.blob();
  }

  /** POST, PATCH or DELETE with an optional JSON body; parsed JSON back, or null for 204. */
  async send<T>(method: "POST" | "PATCH" | "DELETE", path: string, body?: unknown): Promise<T | null> {
    const response = await this.request(method, path, { body });
    if (response.status === 204) return null;
    const text = await response.text();
    return text === "" ? null : (JSON.parse(text) as T);
  }

  /** One request; a non-2xx answer throws an ApiProblem carrying the problem document. */
  async request(method: string, path: string, options: { body?: unknown; signal?: AbortSignal | undefined } = {}): Promise<Response> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.#token}`, accept: "application/json, */*" };
    if (options.body !== undefined) headers["content-type"] = "application/json";
    let response: Response;
    try {
      response = await fetch(`${apiBase}${path}`, {
        method,
        headers,
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
        ...(options.signal ? { signal: options.signal } : {}),
        credentials: "omit",
      });
    } catch (err) {
      if (options.signal?.aborted) throw err;
      throw new ApiProblem(
        {
          title: "Cannot reach Charthouse",
          status: 0,
          detail: `${method} ${apiBase}${path} failed before an answer arrived`,
          code: "network_error",
          solution: "Check that registry-api is running and reachable, then try again",
        },
        { cause: err },
      );
    }
    if (response.ok) return response;
    const problem = problemFromBody(response.status, response.statusText, await response.text());
    if (response.status === 401) this.#onUnauthorized();
    throw new ApiProblem(problem);
  }
}

/** The API path of a chart (name escaped). */
export function chartPath(registryId: string, chart: string): string {
  return `/registries/${encodeURIComponent(registryId)}/charts/${encodeURIComponent(chart)}`;
}

/** The API path of a chart version (name and version escaped: `+`, `/`). */
export function versionPath(registryId: string, chart: string, version: string): string {
  return `${chartPath(registryId, chart)}/versions/${encodeURIComponent(version)}`;
}

/** A query string from the given parameters, leaving out empty ones. */
export function queryString(params: Record<string, string | number | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.set(key, String(value));
  }
  const text = search.toString();
  return text === "" ? "" : `?${text}`;
}
