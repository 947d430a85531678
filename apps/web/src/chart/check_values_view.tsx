import { useMutation } from "@tanstack/react-query";
import { useId, useState, type FormEvent, type ReactNode } from "react";
import { versionPath } from "../api/api_client.ts";
import type { ValuesCheck } from "../api/api_types.ts";
import { useApi } from "../auth/session.tsx";
import { ProblemDetails } from "../components/states.tsx";

/**
 * "Check my values": a values file pasted in, checked against one chart version: keys the chart
 * would silently ignore, and what its values.schema.json refuses once merged over the defaults.
 */
export function CheckValuesView({ registryId, chart, version }: { registryId: string; chart: string; version: string }): ReactNode {
  const api = useApi();
  const id = useId();
  const [text, setText] = useState("");
  const check = useMutation({
    mutationFn: (values: string) => api.send<ValuesCheck>("POST", `${versionPath(registryId, chart, version)}/check-values`, { values }),
  });
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    check.mutate(text);
  };
  return (
    <div className="check-values" data-testid="check-values">
      <form className="form" onSubmit={submit}>
        <div className="field">
          <label htmlFor={`${id}-values`}>Your values file</label>
          <textarea
            id={`${id}-values`}
            name="values"
            rows={14}
            spellCheck={false}
            autoComplete="off"
            placeholder={"replicaCount: 2\nimage:\n  tag: \"1.27\""}
            value={text}
            onChange={(e) => {
              setText(e.target.value);
              // Results describe the text as it was checked: they go when it changes.
              if (check.data || check.error) check.reset();
            }}
            aria-describedby={`${id}-hint`}
          />
          <p id={`${id}-hint`} className="hint">
            Paste the values you pass with <code>--values</code>. They are checked against version {version} as Helm would merge them
            over its defaults; nothing is stored.
          </p>
        </div>
        <div className="actions">
          <button type="submit" className="primary" disabled={check.isPending}>
            {check.isPending ? "Checking…" : "Check values"}
          </button>
        </div>
      </form>
      {check.error ? (
        <div role="alert" className="state-error inline-error" data-testid="check-error">
          <ProblemDetails error={check.error} />
        </div>
      ) : null}
      {check.data ? <CheckResult result={check.data} version={version} /> : null}
    </div>
  );
}

function CheckResult({ result, version }: { result: ValuesCheck; version: string }): ReactNode {
  if (result.unknown_keys.length === 0 && result.schema_errors.length === 0) {
    return (
      <p className="notice" role="status" data-testid="check-ok">
        No problems found: version {version} knows every key, and its schema accepts the values.
      </p>
    );
  }
  return (
    <div className="check-result" role="status">
      <h3>Unknown keys ({result.unknown_keys.length})</h3>
      {result.unknown_keys.length === 0 ? (
        <p className="muted">None: the chart knows every key.</p>
      ) : (
        <>
          <p className="hint">Neither values.yaml nor the schema of {version} has these keys: Helm would ignore them without a word.</p>
          <ul className="plain-list" data-testid="unknown-keys">
            {result.unknown_keys.map((k) => (
              <li key={k.path} data-testid="unknown-key">
                <code>{k.path}</code>
              </li>
            ))}
          </ul>
        </>
      )}
      <h3>Schema errors ({result.schema_errors.length})</h3>
      {result.schema_errors.length === 0 ? (
        <p className="muted">None: the schema accepts the values.</p>
      ) : (
        <ul className="plain-list" data-testid="schema-errors">
          {result.schema_errors.map((e, i) => (
            <li key={`${e.path}:${i}`} data-testid="schema-error" className="schema-error">
              <code>{e.path === "" ? "(root)" : e.path}</code> {e.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
