import type { ReactNode } from "react";
import type { ApiProblem } from "../api/api_problem.ts";

/** The Name field of an add form (up to 100 characters), with the API's complaint about it. */
export function NameField({ id, value, onChange, problem }: { id: string; value: string; onChange: (name: string) => void; problem: ApiProblem | null }): ReactNode {
  return (
    <div className="field">
      <label htmlFor={`${id}-name`}>Name</label>
      <input id={`${id}-name`} name="name" required maxLength={100} value={value} onChange={(e) => onChange(e.target.value)} autoFocus />
      {problem?.fieldError("name") ? <p className="field-error">Name {problem.fieldError("name")}</p> : null}
    </div>
  );
}
