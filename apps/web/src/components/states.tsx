import type { ReactNode } from "react";
import { ApiProblem } from "../api/api_problem.ts";

/** A loading placeholder announced to screen readers. */
export function Loading({ label }: { label: string }): ReactNode {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

/** An empty list, with what to do about it. */
export function Empty({ title, children }: { title: string; children?: ReactNode }): ReactNode {
  return (
    <div className="state state-empty">
      <p className="state-title">{title}</p>
      {children}
    </div>
  );
}

/** What QueryStates needs of a react-query result. */
interface QueryStatus<T> {
  isPending: boolean;
  isError: boolean;
  error: unknown;
  data: T | undefined;
  refetch: () => unknown;
}

/** A query's loading and error states (with a retry button), else what `loaded` renders of its data. */
export function QueryStates<T>(props: { query: QueryStatus<T>; loading: string; errorTitle: string; loaded: (data: T) => ReactNode }): ReactNode {
  const { query } = props;
  if (query.isError) return <ErrorState error={query.error} title={props.errorTitle} onRetry={() => void query.refetch()} />;
  if (query.isPending || query.data === undefined) return <Loading label={props.loading} />;
  return props.loaded(query.data);
}

/** A failed request: the problem's code, detail, cause and solution, and a retry button. */
export function ErrorState({ error, title, onRetry }: { error: unknown; title: string; onRetry?: () => void }): ReactNode {
  return (
    <div className="state state-error" role="alert">
      <p className="state-title">{title}</p>
      <ProblemDetails error={error} />
      {onRetry ? (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

/** The facts of an error: an ApiProblem's fields, or an Error's message. */
export function ProblemDetails({ error }: { error: unknown }): ReactNode {
  if (error instanceof ApiProblem) {
    const p = error.problem;
    return (
      <dl className="problem">
        <dt>Code</dt>
        <dd>
          <code>{p.code}</code> {p.status > 0 ? <span className="muted">(HTTP {p.status})</span> : null}
        </dd>
        <dt>What happened</dt>
        <dd>{p.detail}</dd>
        {p.cause ? (
          <>
            <dt>Cause</dt>
            <dd>{p.cause}</dd>
          </>
        ) : null}
        {p.solution ? (
          <>
            <dt>Solution</dt>
            <dd>{p.solution}</dd>
          </>
        ) : null}
        {p.errors && p.errors.length > 0 ? (
          <>
            <dt>Fields</dt>
            <dd>
              <ul>
                {p.errors.map((e) => (
                  <li key={e.field}>
                    <code>{e.field}</code> {e.message}
                  </li>
                ))}
              </ul>
            </dd>
          </>
        ) : null}
      </dl>
    );
  }
  return <p>{error instanceof Error ? error.message : String(error)}</p>;
}
