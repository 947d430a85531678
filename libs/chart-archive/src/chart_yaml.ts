import { hasNul, InputError, storableJson, storableText } from "@charthouse/errors";
import { isMap, isScalar, parseDocument } from "yaml";
import type { Scalar } from "yaml";

/** A parsed Chart.yaml: the whole document plus the fields every caller needs. */
export interface ChartYaml {
  /** The document as a plain JSON object, string fields kept exactly as written. */
  chartYaml: Record<string, unknown>;
  chartName: string;
  version: string;
  /** "v1" when Chart.yaml has none, as Helm assumes. */
  apiVersion: string;
}

/** Chart.yaml fields that Helm reads as strings, so `version: 0.10` stays "0.10" and not 0.1. */
const stringFields = new Set([
  "apiVersion",
  "name",
  "version",
  "kubeVersion",
  "appVersion",
  "description",
  "type",
  "home",
  "icon",
  "condition",
  "tags",
]);

/** Aliases resolved per document: enough for real charts, too few for a "billion laughs" document. */
const maxAliasCount = 100;

/**
 * Parses the text of a Chart.yaml and checks what Helm requires of it: a mapping with a name and a
 * version, and a name that is not a path. Throws InputError (invalid_chart) otherwise.
 */
export function parseChartYaml(text: string): ChartYaml {
  const doc = parseDocument(text, { uniqueKeys: false });
  const [firstError] = doc.errors;
  if (firstError !== undefined) {
    throw invalid(`Cannot parse Chart.yaml of the chart archive: ${firstError.message}`, firstError);
  }
  const root = doc.contents;
  if (!isMap(root)) {
    throw invalid("Cannot read Chart.yaml of the chart archive: it is not a YAML mapping");
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount });
  } catch (err) {
    throw invalid(`Cannot parse Chart.yaml of the chart archive: ${(err as Error).message}`, err);
  }
  if (!isPlainObject(data)) {
    throw invalid("Cannot read Chart.yaml of the chart archive: it is not a YAML mapping");
  }

  // YAML's core schema reads `0.10` as the number 0.1; Helm reads it as the string "0.10".
  for (const pair of root.items) {
    if (!isScalar(pair.key)) continue;
    const key = String(pair.key.value);
    if (stringFields.has(key) && isScalar(pair.value)) {
      data[key] = scalarText(pair.value);
    } else if (key === "annotations" && isMap(pair.value) && isPlainObject(data[key])) {
      const annotations = data[key];
      for (const annotation of pair.value.items) {
        if (isScalar(annotation.key) && isScalar(annotation.value)) {
          annotations[String(annotation.key.value)] = scalarText(annotation.value);
        }
      }
    }
  }

  const chartName = requiredString(data, "name");
  if (chartName.includes("/") || chartName.includes("\\") || chartName.includes("..") || chartName === "." || hasNul(chartName)) {
    throw invalid(`Cannot read Chart.yaml of the chart archive: name ${JSON.stringify(chartName)} is not a valid chart name`);
  }
  const version = requiredString(data, "version");
  if (hasNul(version)) {
    throw invalid(`Cannot read Chart.yaml of the chart archive: version ${JSON.stringify(version)} contains a NUL character`);
  }
  const apiVersionValue = data["apiVersion"];
  let apiVersion = "v1";
  if (apiVersionValue !== undefined && apiVersionValue !== null && apiVersionValue !== "") {
    if (typeof apiVersionValue !== "string") {
      throw invalid("Cannot read Chart.yaml of the chart archive: apiVersion is not a string");
    }
    apiVersion = apiVersionValue;
  }
  // Stored as jsonb: NUL (a YAML "\0") and unpaired surrogates ("\uD800") cannot be stored there.
  return { chartYaml: storableJson(data), chartName, version, apiVersion: storableText(apiVersion) };
}

/** The scalar as Helm's string fields see it: its source text unless it is already a string or null. */
function scalarText(node: Scalar): unknown {
  const value: unknown = node.value;
  if (typeof value === "string" || value === null) return value;
  return node.source ?? String(value);
}

function requiredString(data: Record<string, unknown>, field: string): string {
  let value = data[field];
  // An alias (`version: *v`) resolves to its typed value; Helm would still read it as text.
  if (typeof value === "number" || typeof value === "boolean") value = String(value);
  if (value === undefined || value === null || value === "") {
    throw invalid(`Cannot read Chart.yaml of the chart archive: ${field} is missing`);
  }
  if (typeof value !== "string") {
    throw invalid(`Cannot read Chart.yaml of the chart archive: ${field} is not a string`);
  }
  if (value.trim() === "") {
    throw invalid(`Cannot read Chart.yaml of the chart archive: ${field} is blank`);
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function invalid(message: string, cause?: unknown): InputError {
  return new InputError(message, cause === undefined ? { code: "invalid_chart" } : { code: "invalid_chart", cause });
}
