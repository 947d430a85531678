import { useState, type ReactNode } from "react";
import type { ChartDependency, VersionComparison } from "../api/api_types.ts";
import { schemaRows, valueText, valuesRows, type ChangeMark } from "./compare_rows.ts";

// A diff of two large values.yaml files can run to thousands of rows: the first ones render at once.
const firstRows = 200;
// Past this a value is shown shortened, the whole of it one click away.
const shortValue = 120;

/** The values changes as a table: path, what happened, the value in each version. */
export function ValuesChanges({ values }: { values: VersionComparison["values"] }): ReactNode {
  const rows = valuesRows(values);
  const [showAll, setShowAll] = useState(false);
  if (rows.length === 0) return <NoChanges />;
  const shown = showAll ? rows : rows.slice(0, firstRows);
  return (
    <>
      <DiffTable testId="values-changes" columns={["Path", "Change", "Old", "New"]}>
        {shown.map((row) => (
          <tr key={`${row.mark}:${row.path}`} className={`diff-${row.mark}`} data-testid="values-change" data-path={row.path}>
            <td>
              <code>{row.path}</code>
            </td>
            <td>
              <Mark mark={row.mark} />
            </td>
            <td>{row.mark === "added" ? null : <ValueCell value={row.old} />}</td>
            <td>{row.mark === "removed" ? null : <ValueCell value={row.new} />}</td>
          </tr>
        ))}
      </DiffTable>
      {shown.length < rows.length ? (
        <button type="button" onClick={() => setShowAll(true)}>
          Show all {rows.length} changes
        </button>
      ) : null}
    </>
  );
}

/** Schema properties added or removed, and their type, enum, default and required changes. */
export function SchemaChanges({ schema }: { schema: VersionComparison["schema"] }): ReactNode {
  const rows = schemaRows(schema);
  if (rows.length === 0) return <NoChanges />;
  return (
    <DiffTable testId="schema-changes" columns={["Property", "Change", "Keyword", "Old", "New"]}>
      {rows.map((row) => (
        <tr key={`${row.mark}:${row.path}:${row.field ?? ""}`} className={`diff-${row.mark}`} data-testid="schema-change" data-path={row.path}>
          <td>
            <code>{row.path === "" ? "(root)" : row.path}</code>
          </td>
          <td>
            <Mark mark={row.mark} />
          </td>
          <td>{row.field ? <code>{row.field}</code> : null}</td>
          <td>{row.field ? <ValueCell value={row.old} nullIsAbsent /> : null}</td>
          <td>{row.field ? <ValueCell value={row.new} nullIsAbsent /> : null}</td>
        </tr>
      ))}
    </DiffTable>
  );
}

/** Chart.yaml fields that changed, and the dependencies added, removed or changed. */
export function ChartYamlChanges({ chartYaml }: { chartYaml: VersionComparison["chart_yaml"] }): ReactNode {
  const deps = chartYaml.dependencies;
  const depRows = [
    ...deps.added.map((d) => ({ name: d.name, mark: "added" as const, details: dependencyText(d) })),
    ...deps.removed.map((d) => ({ name: d.name, mark: "removed" as const, details: dependencyText(d) })),
    ...deps.changed.map((d) => ({ name: d.name, mark: "changed" as const, details: dependencyChangeText(d.old, d.new) })),
  ];
  if (chartYaml.changed.length === 0 && depRows.length === 0) return <NoChanges />;
  return (
    <>
      {chartYaml.changed.length > 0 ? (
        <DiffTable testId="chart-yaml-changes" columns={["Field", "Old", "New"]}>
          {chartYaml.changed.map((c) => (
            <tr key={c.field} data-testid="chart-yaml-change">
              <td>
                <code>{c.field}</code>
              </td>
              <td>
                <ValueCell value={c.old} nullIsAbsent />
              </td>
              <td>
                <ValueCell value={c.new} nullIsAbsent />
              </td>
            </tr>
          ))}
        </DiffTable>
      ) : null}
      {depRows.length > 0 ? (
        <>
          <h4>Dependencies</h4>
          <DiffTable testId="dependency-changes" columns={["Name", "Change", "Details"]}>
            {depRows.map((d) => (
              <tr key={`${d.mark}:${d.name}`} className={`diff-${d.mark}`} data-testid="dependency-change">
                <td>
                  <code>{d.name}</code>
                </td>
                <td>
                  <Mark mark={d.mark} />
                </td>
                <td>{d.details}</td>
              </tr>
            ))}
          </DiffTable>
        </>
      ) : null}
    </>
  );
}

/** Images whose tag changed, images added and removed, and the full list of each version. */
export function ImageChanges({ images, from, to }: { images: VersionComparison["images"]; from: string; to: string }): ReactNode {
  const changed = images.changed.length + images.added.length + images.removed.length > 0;
  return (
    <>
      {changed ? (
        <ul className="plain-list image-changes" data-testid="image-changes">
          {images.changed.map((c) => (
            <li key={`changed:${c.repository}:${c.old}`} className="diff-changed">
              <Mark mark="changed" /> <code>{c.repository}</code> <code>{c.old}</code> → <code>{c.new}</code>
            </li>
          ))}
          {images.added.map((image) => (
            <li key={`added:${image}`} className="diff-added">
              <Mark mark="added" /> <code>{image}</code>
            </li>
          ))}
          {images.removed.map((image) => (
            <li key={`removed:${image}`} className="diff-removed">
              <Mark mark="removed" /> <code>{image}</code>
            </li>
          ))}
        </ul>
      ) : (
        <NoChanges />
      )}
      {images.from.length + images.to.length > 0 ? (
        <details className="all-images">
          <summary>
            All images: {images.from.length} in {from}, {images.to.length} in {to}
          </summary>
          <div className="image-lists">
            <ImageList title={from} images={images.from} />
            <ImageList title={to} images={images.to} />
          </div>
        </details>
      ) : null}
    </>
  );
}

/** The artifacthub.io/changes entries of the versions between the two, newest first. */
export function Changelog({ entries }: { entries: VersionComparison["changelog"] }): ReactNode {
  if (entries.length === 0) return <p className="muted">No changelog entries (the artifacthub.io/changes annotation) between these versions.</p>;
  return (
    <DiffTable testId="changelog" columns={["Version", "Kind", "Change"]}>
      {entries.map((e, i) => (
        <tr key={`${e.version}:${i}`} data-testid="changelog-entry">
          <td className="version-name">{e.version}</td>
          <td>{e.kind ? <span className={`badge change-${e.kind}`}>{e.kind}</span> : null}</td>
          <td>{e.description}</td>
        </tr>
      ))}
    </DiffTable>
  );
}

function ImageList({ title, images }: { title: string; images: string[] }): ReactNode {
  return (
    <div>
      <h4 className="version-name">{title}</h4>
      {images.length === 0 ? (
        <p className="muted">None found.</p>
      ) : (
        <ul className="plain-list">
          {images.map((image) => (
            <li key={image}>
              <code>{image}</code>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function DiffTable({ testId, columns, children }: { testId: string; columns: string[]; children: ReactNode }): ReactNode {
  return (
    <div className="table-scroll">
      <table className="diff-table" data-testid={testId}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

function NoChanges(): ReactNode {
  return <p className="muted">No changes.</p>;
}

function Mark({ mark }: { mark: ChangeMark }): ReactNode {
  return <span className={`badge diff-mark diff-mark-${mark}`}>{mark}</span>;
}

/** A value as JSON on one line, a long one shortened with the whole of it behind a disclosure. */
function ValueCell({ value, nullIsAbsent = false }: { value: unknown; nullIsAbsent?: boolean }): ReactNode {
  if (nullIsAbsent && value === null) return <span className="muted">(absent)</span>;
  const text = valueText(value);
  if (text.length <= shortValue) return <code className="diff-value">{text}</code>;
  return (
    <details className="long-value">
      <summary>
        <code className="diff-value">{text.slice(0, shortValue - 1)}…</code>
      </summary>
      <pre className="code">
        <code>{JSON.stringify(value, null, 2)}</code>
      </pre>
    </details>
  );
}

function dependencyText(d: ChartDependency): string {
  return Object.entries(d)
    .filter(([key]) => key !== "name")
    .map(([key, value]) => `${key} ${typeof value === "string" ? value : valueText(value)}`)
    .join(" · ");
}

function dependencyChangeText(old: Record<string, unknown>, next: Record<string, unknown>): string {
  const fields = [...new Set([...Object.keys(old), ...Object.keys(next)])].sort();
  const side = (value: unknown): string => (value === undefined ? "(absent)" : typeof value === "string" ? value : valueText(value));
  return fields.map((field) => `${field}: ${side(old[field])} → ${side(next[field])}`).join(" · ");
}
