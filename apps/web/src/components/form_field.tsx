import type { ReactNode } from "react";

/** A form field: its label, its control, and the API's problem with it (422 `errors`). */
export function Field({ id, label, error, children }: { id: string; label: string; error: string | undefined; children: ReactNode }): ReactNode {
  return (
    <div className={error ? "field field-invalid" : "field"}>
      <label htmlFor={id}>{label}</label>
      {children}
      {error ? (
        <p className="field-error" role="alert">
          {label} {error}
        </p>
      ) : null}
    </div>
  );
}
