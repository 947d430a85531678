/**
 * Comparing versions in the OpenAPI document: what changed between two versions of a chart, a
 * values file checked against one (routes/compare_routes.ts), and the summary of a new version.
 */
import { idParam, int, json, nameParam, object, op, problem, ref, str, versionParam, type OperationObject, type SchemaObject } from "./openapi_builders.ts";

const any: SchemaObject = { description: "Any JSON value (as the YAML or JSON held it)" };
const path = str('A dotted path; a key holding a dot is written a["b.c"], a list index [0]');
const pathOnly = object({ path });
const list = (items: SchemaObject): SchemaObject => ({ type: "array", items });
const dependency: SchemaObject = { ...object({ name: str() }), additionalProperties: true, description: "The Chart.yaml dependency as written" };

/** The schemas of the comparison routes and of the chart.version.ready summary. */
export const compareSchemas: Record<string, SchemaObject> = {
  VersionComparison: object({
    chart: str(),
    from: str(),
    to: str(),
    values: {
      ...object({
        added: list(object({ path, new: any })),
        removed: list(object({ path, old: any })),
        changed: list(object({ path, old: any, new: any })),
      }),
      description: "The default values by leaf; a new or removed map counts by its leaves (an empty map is one path); a list is one value; comments, key order and flow style are not changes",
    },
    schema: {
      ...object({
        added: list(pathOnly),
        removed: list(pathOnly),
        changed: list(object({ path, field: { type: "string", enum: ["type", "enum", "default", "required"] }, old: any, new: any })),
      }),
      description: "values.schema.json by property path (\"\" is the root): properties added or removed (once, at their top), and type, enum, default and required changes; old/new null where the keyword is absent",
    },
    chart_yaml: object({
      changed: { ...list(object({ field: str('A top-level field, or annotations["key"]'), old: any, new: any })), description: "Fields but name, version and dependencies; null where absent" },
      dependencies: object({
        added: list(dependency),
        removed: list(dependency),
        changed: list(object({ name: str("The alias, else the name"), old: { type: "object" }, new: { type: "object" } })),
      }),
    }),
    images: {
      ...object({
        from: list(str()),
        to: list(str()),
        added: list(str()),
        removed: list(str()),
        changed: list(object({ repository: str(), old: str("The old tag or digest"), new: str() })),
      }),
      description: "Images from the artifacthub.io/images annotation and the values (image.repository + image.tag maps, image: repo:tag strings); a new tag of one repository is changed",
    },
    changelog: {
      ...list(
        object({
          version: str(),
          kind: { type: ["string", "null"], enum: ["added", "changed", "deprecated", "removed", "fixed", "security", null] },
          description: str(),
        }),
      ),
      description: "The artifacthub.io/changes entries of every version after the older up to the newer, newest first",
    },
  }),
  CheckValuesRequest: object({ values: str("The values file, as YAML text") }),
  ValuesCheck: object({
    unknown_keys: { ...list(pathOnly), description: "Keys neither the version's values.yaml nor its schema has (keys under global and subchart names are known): Helm would ignore them" },
    schema_errors: {
      ...list(object({ path: str("Where, as helm template --values prints it"), message: str() })),
      description: "What the version's values.schema.json refuses of the values merged over the chart's defaults, as Helm merges them (draft-07, 2019-09, 2020-12)",
    },
  }),
  VersionSummary: {
    ...object({
      previous_version: str("The ready version just before it, by semver"),
      values_added: int,
      values_removed: int,
      values_changed: int,
      images_changed: { ...int, description: "Images added, removed or changed (a new tag of one repository counts once)" },
      major: { type: "boolean", description: "The semver major grew" },
    }),
    description: "The summary field of a chart.version.ready event: what the version changed against the previous ready version of its chart (leaf counts as in compare); null for a chart's first ready version, or when it could not be computed",
  },
};

const notReady = problem("No such registry, chart or version (not_found), or the version is not ready (not_extracted)");

/** The comparison routes. */
export const comparePaths: Record<string, Record<string, OperationObject>> = {
  "/registries/{id}/charts/{name}/compare": {
    get: op(
      "compareChartVersions",
      "What changed between two ready versions of a chart (values, schema, Chart.yaml and dependencies, images, changelog), computed from what was extracted of each; either order, a version against itself is empty. Needs read",
      "charts",
      { 200: { description: "The comparison", content: json(ref("VersionComparison")) }, 404: notReady, 422: problem("from or to missing (invalid_input), or a version's stored values.yaml cannot be read") },
      {
        parameters: [
          idParam("registry"),
          nameParam,
          { name: "from", in: "query", required: true, description: "A ready version", schema: str() },
          { name: "to", in: "query", required: true, description: "Another (or the same) ready version", schema: str() },
        ],
      },
    ),
  },
  "/registries/{id}/charts/{name}/versions/{version}/check-values": {
    post: op(
      "checkChartValues",
      "Check a values file against a ready version: the keys it would ignore, and what its values.schema.json refuses. Only reads: needs read",
      "charts",
      {
        200: { description: "The check", content: json(ref("ValuesCheck")) },
        404: notReady,
        413: problem("The body is over 1 MiB (code too_large)"),
        422: problem("Not YAML, not a map at the top, an alias bomb, nesting over 100 levels, over 600 ms to read, or a JSON body without values (code invalid_input)"),
      },
      {
        parameters: [idParam("registry"), nameParam, versionParam],
        requestBody: {
          required: true,
          content: { "application/yaml": { schema: str("The values file") }, ...json(ref("CheckValuesRequest")) },
        },
      },
    ),
  },
};
