/** A Chart.yaml dependency as written (name, version, repository, condition, alias...). */
export type ChartDependencyJson = Record<string, unknown> & { name: string };

/** What changed between two ready versions of a chart (GET .../charts/{name}/compare?from=&to=). */
export interface VersionComparisonJson {
  chart: string;
  from: string;
  to: string;
  /** Default values by dotted leaf path (`a["b.c"]` for a key with a dot); a list is one value. */
  values: {
    added: { path: string; new: unknown }[];
    removed: { path: string; old: unknown }[];
    changed: { path: string; old: unknown; new: unknown }[];
  };
  /** values.schema.json by dotted property path: properties added or removed; type, enum, default, required changed. */
  schema: {
    added: { path: string }[];
    removed: { path: string }[];
    changed: { path: string; field: "type" | "enum" | "default" | "required"; old: unknown; new: unknown }[];
  };
  chart_yaml: {
    changed: { field: string; old: unknown; new: unknown }[];
    dependencies: {
      added: ChartDependencyJson[];
      removed: ChartDependencyJson[];
      changed: { name: string; old: Record<string, unknown>; new: Record<string, unknown> }[];
    };
  };
  /** From the artifacthub.io/images annotation and the values; a new tag of one repository is `changed`. */
  images: { from: string[]; to: string[]; added: string[]; removed: string[]; changed: { repository: string; old: string; new: string }[] };
  /** The artifacthub.io/changes entries of the versions after the older up to the newer, newest first. */
  changelog: { version: string; kind: "added" | "changed" | "deprecated" | "removed" | "fixed" | "security" | null; description: string }[];
}

/** What a user's values file would do to a version (POST .../versions/{version}/check-values). */
export interface ValuesCheckJson {
  /** Keys neither the chart's values.yaml nor its schema knows (Helm would ignore them). */
  unknown_keys: { path: string }[];
  /** What the chart's schema refuses of the user's values merged over its defaults, at Helm's paths. */
  schema_errors: { path: string; message: string }[];
}

/** What a new ready version changed against the previous ready one (the `summary` of chart.version.ready). */
export interface VersionSummaryJson {
  previous_version: string;
  values_added: number;
  values_removed: number;
  values_changed: number;
  /** Images added, removed or changed (a new tag of one repository counts once). */
  images_changed: number;
  /** The semver major grew. */
  major: boolean;
}
