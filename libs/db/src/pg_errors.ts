/** True when a database error is a unique-constraint violation (SQLSTATE 23505). */
export function isUniqueViolation(err: unknown): boolean {
  return sqlState(err) === "23505";
}

/** True when a database error is a foreign-key violation (SQLSTATE 23503). */
export function isForeignKeyViolation(err: unknown): boolean {
  return sqlState(err) === "23503";
}

// SQLSTATEs that say "not now" rather than "not this": the same statement may well succeed in a
// moment. Class 08 is a connection exception; class 53 is insufficient resources, above all 53300
// (too_many_connections: max_connections or a role's CONNECTION LIMIT is reached, the usual answer
// under load); 57P01 admin_shutdown, 57P02 crash_shutdown and 57P03 cannot_connect_now (starting
// up, shutting down, in recovery) come while Postgres restarts or fails over.
const unavailableClasses = ["08", "53"];
const unavailableStates = new Set(["53300", "57P01", "57P02", "57P03"]);
// The same from below SQL: the socket cannot be opened or breaks.
const unavailableNetworkCodes = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN"]);
// What pg and pg-pool say, without a code, when a connection ends or the pool cannot get one in time.
const unavailableMessages = /Connection terminated|connection error|timeout exceeded when trying to connect|Client was closed/i;

/**
 * True when Postgres cannot serve us right now (refuses connections, is starting up or shutting
 * down, is out of resources, or the connection failed) so a retry later may succeed; false for
 * errors of the statement itself (syntax, constraints, bad text), which a retry repeats.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  const code = sqlState(err);
  if (code !== undefined) {
    if (unavailableStates.has(code) || unavailableNetworkCodes.has(code)) return true;
    if (code.length === 5 && unavailableClasses.includes(code.slice(0, 2))) return true;
  }
  return err instanceof Error && unavailableMessages.test(err.message);
}

function sqlState(err: unknown): string | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === "string" ? code : undefined;
}
