import { useEffect, useState, type ReactNode } from "react";

/** Copies text to the clipboard and says so; falls back to a hidden textarea where the API is missing. */
export function CopyButton({ text, label }: { text: string; label: string }): ReactNode {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  useEffect(() => {
    if (state === "idle") return;
    const timer = setTimeout(() => setState("idle"), 2_000);
    return () => clearTimeout(timer);
  }, [state]);
  const copy = async (): Promise<void> => {
    try {
      if (navigator.clipboard) await navigator.clipboard.writeText(text);
      else copyWithTextarea(text);
      setState("copied");
    } catch {
      try {
        copyWithTextarea(text);
        setState("copied");
      } catch {
        setState("failed");
      }
    }
  };
  return (
    <>
      <button type="button" onClick={() => void copy()}>
        {label}
      </button>
      <span role="status" className="muted copy-status">
        {state === "copied" ? "Copied" : state === "failed" ? "Cannot copy: select the text instead" : ""}
      </span>
    </>
  );
}

function copyWithTextarea(text: string): void {
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.className = "offscreen";
  document.body.append(area);
  area.select();
  const ok = document.execCommand("copy");
  area.remove();
  if (!ok) throw new Error("execCommand(copy) refused");
}
