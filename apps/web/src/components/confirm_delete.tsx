import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { useApi } from "../auth/session.tsx";
import { ProblemDetails } from "./states.tsx";

/** "Delete…", then the named deletion and "Keep": a delete asks once before it happens. */
export function ConfirmDelete({ label, pending, onDelete }: { label: string; pending: boolean; onDelete: () => void }): ReactNode {
  const [confirm, setConfirm] = useState(false);
  return confirm ? (
    <>
      <button type="button" className="danger" onClick={onDelete} disabled={pending}>
        {label}
      </button>
      <button type="button" onClick={() => setConfirm(false)}>
        Keep
      </button>
    </>
  ) : (
    <button type="button" className="quiet" onClick={() => setConfirm(true)}>
      Delete…
    </button>
  );
}

/**
 * A row's whole delete: ConfirmDelete sending DELETE `path`, the queries under `queryKey`
 * refreshed after it, and a refusal (a credential still in use) shown under the buttons.
 */
export function DeleteRow({ path, name, queryKey }: { path: string; name: string; queryKey: readonly string[] }): ReactNode {
  const api = useApi();
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: () => api.send("DELETE", path),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey }),
  });
  return (
    <>
      <div className="actions">
        <ConfirmDelete label={`Delete “${name}”`} pending={remove.isPending} onDelete={() => remove.mutate()} />
      </div>
      {remove.error ? (
        <div role="alert" className="state-error inline-error">
          <ProblemDetails error={remove.error} />
        </div>
      ) : null}
    </>
  );
}
