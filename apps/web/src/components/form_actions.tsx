import type { ReactNode } from "react";

/** A form's submit and cancel buttons; submit is disabled and says so while the form is sent. */
export function FormActions({ sending, submitLabel, onCancel }: { sending: boolean; submitLabel: string; onCancel: () => void }): ReactNode {
  return (
    <div className="actions">
      <button type="submit" className="primary" disabled={sending}>
        {sending ? "Adding…" : submitLabel}
      </button>
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}
