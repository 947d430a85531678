import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent, type ReactNode } from "react";
import { ApiProblem } from "../api/api_problem.ts";
import type { Page, Receiver, ReceiverKind, Registry } from "../api/api_types.ts";
import { useApi } from "../auth/session.tsx";
import { FormActions } from "../components/form_actions.tsx";
import { NameField } from "../components/name_field.tsx";
import { ProblemDetails } from "../components/states.tsx";
import { receiverKinds } from "./receiver_kinds.ts";

/** Add a receiver: a name, the sender's kind, and the repository whose pushes it takes. */
export function ReceiverForm({ onAdded, onCancel }: { onAdded: (r: Receiver) => void; onCancel: () => void }): ReactNode {
  const api = useApi();
  const queryClient = useQueryClient();
  const id = useId();
  const [name, setName] = useState("");
  const [kind, setKind] = useState<ReceiverKind>("distribution");
  const [registryId, setRegistryId] = useState("");
  const registries = useQuery({
    queryKey: ["registries", "all"],
    queryFn: ({ signal }) => api.getJson<Page<Registry>>("/registries?limit=500", signal),
  });
  const add = useMutation({
    mutationFn: (body: Record<string, unknown>) => api.send<Receiver>("POST", "/receivers", body),
    onSuccess: (receiver) => {
      void queryClient.invalidateQueries({ queryKey: ["receivers"] });
      if (receiver) onAdded(receiver);
    },
  });
  const problem = add.error instanceof ApiProblem ? add.error : null;
  const spec = receiverKinds.find((k) => k.kind === kind) ?? receiverKinds[0]!;
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    add.mutate({ name: name.trim(), kind, registry_id: registryId });
  };

  return (
    <form className="card form" onSubmit={submit} aria-labelledby={`${id}-title`} data-testid="receiver-form" autoComplete="off">
      <h2 id={`${id}-title`}>Add a receiver</h2>
      <NameField id={id} value={name} onChange={setName} problem={problem} />
      <div className="field">
        <label htmlFor={`${id}-kind`}>Sender</label>
        <select id={`${id}-kind`} name="kind" value={kind} onChange={(e) => setKind(e.target.value as ReceiverKind)}>
          {receiverKinds.map((k) => (
            <option key={k.kind} value={k.kind}>
              {k.label}
            </option>
          ))}
        </select>
        <p className="hint">Proof: {spec.proof}.</p>
      </div>
      <div className="field">
        <label htmlFor={`${id}-registry`}>Repository</label>
        <select
          id={`${id}-registry`}
          name="registry_id"
          required
          value={registryId}
          onChange={(e) => setRegistryId(e.target.value)}
          disabled={registries.isPending}
        >
          <option value="">Choose a repository…</option>
          {(registries.data?.items ?? []).map((r) => (
            <option key={r.id} value={r.id}>
              {r.name}
            </option>
          ))}
        </select>
        {problem?.fieldError("registry_id") ? <p className="field-error">Repository {problem.fieldError("registry_id")}</p> : null}
        <p className="hint">Its pushes sync this repository at once; its interval stays as it is.</p>
      </div>
      {add.error && !problem?.problem.errors?.length ? (
        <div role="alert" className="state-error inline-error">
          <ProblemDetails error={add.error} />
        </div>
      ) : null}
      <FormActions sending={add.isPending} submitLabel="Add receiver" onCancel={onCancel} />
    </form>
  );
}
