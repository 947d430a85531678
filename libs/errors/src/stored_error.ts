import { CharthouseError } from "./charthouse_error.ts";

/** The shape an error takes on a registry, a sync run or a chart version. */
export interface StoredError {
  code: string;
  message: string;
  cause: string | null;
  solution: string;
}

/** Describes any thrown value as a StoredError, keeping the chain of causes readable. */
export function toStoredError(err: unknown): StoredError {
  if (err instanceof CharthouseError) {
    return { code: err.code, message: err.message, cause: describeCause(err.cause), solution: err.solution };
  }
  const message = err instanceof Error ? err.message : String(err);
  return {
    code: "internal",
    message,
    cause: err instanceof Error ? describeCause(err.cause) : null,
    solution: "Retry; if it persists, report it",
  };
}

function describeCause(cause: unknown): string | null {
  const parts: string[] = [];
  let current = cause;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    if (current instanceof Error) {
      const code = (current as { code?: unknown }).code;
      parts.push(typeof code === "string" ? `${code}: ${current.message}` : current.message);
      current = current.cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  return parts.length > 0 ? parts.join(" <- ") : null;
}
