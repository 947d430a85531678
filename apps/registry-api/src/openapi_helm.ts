/**
 * The Helm repositories' part of the OpenAPI document (apps/registry-api/src/routes/helm_routes.ts):
 * served at /helm, beside the API, so each operation names its own server.
 */
import { errors, int, problem, str, type OperationObject, type ParameterObject, type ResponseObject } from "./openapi_builders.ts";

const helmServers = [{ url: "/", description: "The Helm repositories are served at /helm, beside /api/v1" }];
const helmSecurity = [{ helmBasic: [] }, { bearer: [] }];
const unauthorized: ResponseObject = {
  ...problem(
    "Missing, unknown, revoked or expired token (code unauthorized), with WWW-Authenticate: Basic realm=\"charthouse\" so helm sends its credentials. A token admitted is remembered for 5 s by each copy of the API, so a revoked token stops working here within 5 s",
  ),
  headers: { "WWW-Authenticate": { schema: str('Basic realm="charthouse"') } },
};
const registryParam: ParameterObject = {
  name: "registry",
  in: "path",
  required: true,
  description: "The registry's name (unique in the organisation)",
  schema: str(),
};

function helmOp(operationId: string, summary: string, responses: Record<string, ResponseObject>, parameters: ParameterObject[]): OperationObject {
  return {
    operationId,
    summary,
    tags: ["helm"],
    servers: helmServers,
    security: helmSecurity,
    parameters,
    responses: { ...responses, 401: unauthorized, 403: errors[403], 404: errors[404] },
  };
}

/** The Helm repository routes, by path. */
export const helmPaths: Record<string, Record<string, OperationObject>> = {
  "/helm/{registry}/index.yaml": {
    get: helmOp(
      "getHelmIndex",
      "The registry as a Helm repository: its index, every ready version (helm repo add <name> <server>/helm/<registry> --username any --password <token>). Built when the registry's versions change, not per request. Each copy of the API reuses the index's state (ETag) for 2 s, so a change of versions shows within 2 s plus the at most 5 s a rebuild waits after the last one.",
      {
        200: {
          description:
            "The index: apiVersion v1, entries (each version's Chart.yaml fields helm reads: apiVersion, name, version, appVersion, description, keywords, home, sources, icon, maintainers, dependencies, annotations, deprecated, kubeVersion, type; created; digest, the sha256 of the stored archive; urls, relative: charts/{name}-{version}.tgz), generated. YAML by default; JSON (which is valid YAML too) to clients that accept application/json over YAML, and to helm (User-Agent Helm/...), which loads JSON faster. gzip-compressed when Accept-Encoding allows it. Strong ETag per form and coding; Vary: Accept, Accept-Encoding, User-Agent; X-Charthouse-Versions: how many versions it lists",
          content: { "application/yaml": { schema: str() }, "application/json": { schema: { type: "object" } } },
          headers: { ETag: { schema: str() }, "X-Charthouse-Versions": { schema: int } },
        },
        304: { description: "If-None-Match names the current ETag: unchanged" },
        503: problem("The registry's first index is still being built by another copy (code unavailable); retry"),
      },
      [registryParam, { name: "If-None-Match", in: "header", required: false, description: "An ETag of an earlier answer", schema: str() }],
    ),
  },
  "/helm/{registry}/charts/{file}": {
    get: helmOp(
      "getHelmChartArchive",
      "A ready version's archive, as the index's urls name it: the stored, digest-verified bytes (never fetched from the upstream registry)",
      {
        200: {
          description: "The .tgz; ETag is its sha256",
          content: { "application/gzip": { schema: { type: "string", format: "binary" } } },
        },
      },
      [registryParam, { name: "file", in: "path", required: true, description: "{chart}-{version}.tgz, URL-encoded", schema: str() }],
    ),
  },
};
