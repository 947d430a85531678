import { CharthouseError } from "./charthouse_error.ts";
import { storableText } from "./storable_text.ts";

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
    return storable({ code: err.code, message: err.message, cause: describeCause(err.cause), solution: err.solution });
  }
  const message = err instanceof Error ? err.message : String(err);
  return storable({
    code: "internal",
    message,
    cause: err instanceof Error ? describeCause(err.cause) : null,
    solution: "Retry; if it persists, report it",
  });
}

/**
 * An error that quotes a registry's text (a binary manifest in a JSON parse error) may hold NUL
 * or an unpaired surrogate, which Postgres refuses in text and jsonb: recording the error must not fail.
 */
function storable(error: StoredError): StoredError {
  return {
    code: error.code,
    message: storableText(error.message),
    cause: error.cause === null ? null : storableText(error.cause),
    solution: storableText(error.solution),
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
