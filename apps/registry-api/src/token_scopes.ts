/**
 * The scopes of API tokens and what each implies. They are nested: `admin` ⊇ `write` ⊇ `read`.
 * - `read`: every GET (registries, credentials without secrets, charts, syncs, its organisation),
 *   and POST .../check-values, which only reads.
 * - `write`: `read`, plus every change (POST, PATCH, DELETE) of registries and credentials.
 * - `admin`: `write`, plus API tokens (`/tokens`); an admin token of the default organisation,
 *   the operator's, also creates organisations.
 * Nesting keeps the rule "GET needs read, changes need write" true of every token, and makes
 * "a token cannot grant scopes its creator lacks" a plain comparison.
 */
export const tokenScopes = ["read", "write", "admin"] as const;

/** A scope an API token may hold. */
export type TokenScope = (typeof tokenScopes)[number];

const rank: Record<TokenScope, number> = { read: 1, write: 2, admin: 3 };

/** True when a token holding `scopes` may do what `needed` allows. */
export function holdsScope(scopes: readonly string[], needed: TokenScope): boolean {
  return scopes.some((scope) => isTokenScope(scope) && rank[scope] >= rank[needed]);
}

/** True when a string names a scope. */
export function isTokenScope(value: string): value is TokenScope {
  return (tokenScopes as readonly string[]).includes(value);
}
