import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent, type ReactNode } from "react";
import { ApiProblem } from "../api/api_problem.ts";
import type { Credential, CredentialKind } from "../api/api_types.ts";
import { useApi } from "../auth/session.tsx";
import { ProblemDetails } from "../components/states.tsx";
import { FormActions } from "../components/form_actions.tsx";
import { NameField } from "../components/name_field.tsx";
import { credentialKinds } from "./credential_kinds.ts";

/** Add a credential: a name, a kind, and that kind's own fields. Secrets are write-only. */
export function CredentialForm({ onAdded, onCancel }: { onAdded: (c: Credential) => void; onCancel: () => void }): ReactNode {
  const api = useApi();
  const queryClient = useQueryClient();
  const id = useId();
  const [name, setName] = useState("");
  const [kind, setKind] = useState<CredentialKind>("basic");
  const [values, setValues] = useState<Record<string, string>>({});
  const spec = credentialKinds.find((k) => k.kind === kind) ?? credentialKinds[0]!;

  const add = useMutation({
    mutationFn: (body: Record<string, unknown>) => api.send<Credential>("POST", "/credentials", body),
    onSuccess: (credential) => {
      setValues({});
      setName("");
      void queryClient.invalidateQueries({ queryKey: ["credentials"] });
      if (credential) onAdded(credential);
    },
  });
  const problem = add.error instanceof ApiProblem ? add.error : null;

  const submit = (e: FormEvent): void => {
    e.preventDefault();
    const body: Record<string, unknown> = { name: name.trim(), kind };
    for (const field of spec.fields) {
      const value = values[field.name] ?? "";
      if (value.trim() === "" && field.optional) continue;
      body[field.name] = field.secret ? value : value.trim();
    }
    add.mutate(body);
  };

  return (
    <form className="card form" onSubmit={submit} aria-labelledby={`${id}-title`} data-testid="credential-form" autoComplete="off">
      <h2 id={`${id}-title`}>Add a credential</h2>
      <NameField id={id} value={name} onChange={setName} problem={problem} />
      <div className="field">
        <label htmlFor={`${id}-kind`}>Kind</label>
        <select
          id={`${id}-kind`}
          name="kind"
          value={kind}
          onChange={(e) => {
            setKind(e.target.value as CredentialKind);
            setValues({});
          }}
        >
          {credentialKinds.map((k) => (
            <option key={k.kind} value={k.kind}>
              {k.label}
            </option>
          ))}
        </select>
        <p className="hint">For {spec.usedFor}.</p>
      </div>
      {spec.fields.map((field) => {
        const inputId = `${id}-${field.name}`;
        const error = problem?.fieldError(field.name);
        const common = {
          id: inputId,
          name: field.name,
          required: !field.optional,
          value: values[field.name] ?? "",
          spellCheck: false,
          autoComplete: field.secret ? "new-password" : "off",
          "aria-invalid": error ? true : undefined,
        } as const;
        return (
          <div key={`${kind}-${field.name}`} className={error ? "field field-invalid" : "field"}>
            <label htmlFor={inputId}>
              {field.label}
              {field.optional ? <span className="muted"> (optional)</span> : null}
            </label>
            {field.multiline ? (
              <textarea {...common} rows={6} onChange={(e) => setValues({ ...values, [field.name]: e.target.value })} />
            ) : (
              <input
                {...common}
                type={field.secret ? "password" : "text"}
                onChange={(e) => setValues({ ...values, [field.name]: e.target.value })}
              />
            )}
            {field.hint ? <p className="hint">{field.hint}</p> : null}
            {error ? (
              <p className="field-error" role="alert">
                {field.label} {error}
              </p>
            ) : null}
          </div>
        );
      })}
      <p className="hint">Secrets are stored encrypted and never shown again; to change one, add a new credential.</p>
      {add.error && !(problem?.problem.errors?.length) ? (
        <div role="alert" className="state-error inline-error">
          <ProblemDetails error={add.error} />
        </div>
      ) : null}
      <FormActions sending={add.isPending} submitLabel="Add credential" onCancel={onCancel} />
    </form>
  );
}
