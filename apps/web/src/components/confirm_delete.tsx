import { useState, type ReactNode } from "react";

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
