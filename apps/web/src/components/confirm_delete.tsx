import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { useApi } from "../auth/session.tsx";
import { ProblemDetails } from "./states.tsx";

/**
 * "Delete…", then "Delete “name”" or "Keep": sends DELETE `path` and refreshes the queries under
 * `queryKey`; a refusal (a credential in use) is shown under the buttons.
 */
export function ConfirmDelete({ path, name, queryKey }: { path: string; name: string; queryKey: readonly string[] }): ReactNode {
  const api = useApi();
  const queryClient = useQueryClient();
  const [confirm, setConfirm] = useState(false);
  const remove = useMutation({
    mutationFn: () => api.send("DELETE", path),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey }),
  });
  return (
    <>
      <div className="actions">
        {confirm ? (
          <>
            <button type="button" className="danger" onClick={() => remove.mutate()} disabled={remove.isPending}>
              Delete “{name}”
            </button>
            <button type="button" onClick={() => setConfirm(false)}>
              Keep
            </button>
          </>
        ) : (
          <button type="button" className="quiet" onClick={() => setConfirm(true)}>
            Delete…
          </button>
        )}
      </div>
      {remove.error ? (
        <div role="alert" className="state-error inline-error">
          <ProblemDetails error={remove.error} />
        </div>
      ) : null}
    </>
  );
}
