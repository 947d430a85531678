import { useMemo, useState, type ReactNode } from "react";
import { schemaTree, type SchemaNode } from "./schema_tree.ts";

/** values.schema.json as a tree of properties with types, defaults, descriptions and constraints. */
export function SchemaView({ text }: { text: string }): ReactNode {
  const parsed = useMemo(() => {
    try {
      return { ok: true as const, value: JSON.parse(text) as unknown };
    } catch (err) {
      return { ok: false as const, error: err instanceof Error ? err.message : String(err) };
    }
  }, [text]);
  const tree = useMemo(() => (parsed.ok ? schemaTree(parsed.value) : null), [parsed]);
  const [expandAll, setExpandAll] = useState(false);

  if (!parsed.ok || tree === null) {
    return (
      <div className="state state-error" role="alert">
        <p className="state-title">values.schema.json is not valid JSON</p>
        <p>{parsed.ok ? "" : parsed.error}</p>
      </div>
    );
  }
  return (
    <div className="schema" data-testid="schema">
      <div className="toolbar">
        <button type="button" onClick={() => setExpandAll(!expandAll)}>
          {expandAll ? "Collapse all" : "Expand all"}
        </button>
        {tree.description ? <span className="muted">{tree.description}</span> : null}
      </div>
      {tree.children.length === 0 ? (
        <p className="muted">The schema describes no properties.</p>
      ) : (
        <ul className="schema-tree" key={String(expandAll)}>
          {tree.children.map((child) => (
            <SchemaItem key={child.path} node={child} depth={0} expandAll={expandAll} />
          ))}
        </ul>
      )}
      <details className="raw-schema">
        <summary>Schema as JSON</summary>
        <pre className="code" tabIndex={0}>
          <code>{JSON.stringify(parsed.value, null, 2)}</code>
        </pre>
      </details>
    </div>
  );
}

function SchemaItem({ node, depth, expandAll }: { node: SchemaNode; depth: number; expandAll: boolean }): ReactNode {
  const summary = <SchemaSummary node={node} />;
  if (node.children.length === 0) return <li className="schema-leaf">{summary}</li>;
  return (
    <li>
      <details open={expandAll || depth === 0}>
        <summary>{summary}</summary>
        <ul>
          {node.children.map((child) => (
            <SchemaItem key={child.path} node={child} depth={depth + 1} expandAll={expandAll} />
          ))}
        </ul>
      </details>
    </li>
  );
}

function SchemaSummary({ node }: { node: SchemaNode }): ReactNode {
  return (
    <span className="schema-node" data-path={node.path}>
      <code className="schema-name">{node.name}</code>
      {node.types.map((t) => (
        <span key={t} className="badge badge-type">
          {t}
        </span>
      ))}
      {node.required ? <span className="badge badge-warn">required</span> : null}
      {node.deprecated ? <span className="badge badge-warn">deprecated</span> : null}
      {node.defaultText !== null ? (
        <span className="schema-default">
          default <code>{truncate(node.defaultText, 120)}</code>
        </span>
      ) : null}
      {node.description ? <span className="schema-description">{node.description}</span> : null}
      {node.enumValues ? (
        <span className="schema-constraints">one of {truncate(node.enumValues.join(", "), 200)}</span>
      ) : null}
      {node.constraints.length > 0 ? <span className="schema-constraints">{node.constraints.join(" · ")}</span> : null}
      {node.truncated ? <span className="schema-constraints">({node.truncated})</span> : null}
    </span>
  );
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
