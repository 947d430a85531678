import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from "react";
import { ApiClient } from "../api/api_client.ts";
import { ApiProblem } from "../api/api_problem.ts";
import { TokenStore } from "./token_store.ts";

/** The signed-in session: the API client made with the token, and how to leave. */
export interface Session {
  client: ApiClient | null;
  /** Why the last session ended, shown on the sign-in page. */
  notice: string | null;
  signIn(token: string, remember: boolean): Promise<void>;
  signOut(notice?: string): void;
}

const SessionContext = createContext<Session | null>(null);

function browserStorage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

/** Holds the API token for this tab (sessionStorage or memory, never a URL). */
export function SessionProvider({ children }: { children: ReactNode }): ReactNode {
  const store = useMemo(() => new TokenStore(browserStorage()), []);
  const [token, setToken] = useState<string | null>(() => store.read());
  const [notice, setNotice] = useState<string | null>(null);

  const signOut = useCallback(
    (why?: string) => {
      store.clear();
      setToken(null);
      setNotice(why ?? null);
    },
    [store],
  );

  const client = useMemo(
    () =>
      token === null
        ? null
        : new ApiClient(token, { onUnauthorized: () => signOut("The API no longer accepts this token. Sign in again.") }),
    [token, signOut],
  );

  const signIn = useCallback(
    async (candidate: string, remember: boolean) => {
      const trimmed = candidate.trim();
      // A cheap authenticated call tells a working token from a wrong one.
      try {
        await new ApiClient(trimmed).getJson("/registries?limit=1");
      } catch (err) {
        if (err instanceof ApiProblem && err.status === 401) {
          throw new ApiProblem({ ...err.problem, detail: "This token is unknown or revoked", solution: "Copy the token printed by npm start, or ask an administrator for one" });
        }
        throw err;
      }
      store.write(trimmed, { remember });
      setNotice(null);
      setToken(trimmed);
    },
    [store],
  );

  const session = useMemo<Session>(() => ({ client, notice, signIn, signOut }), [client, notice, signIn, signOut]);
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

/** The current session. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === null) throw new Error("useSession() needs a SessionProvider above it");
  return session;
}

/** The API client of the signed-in session (only used below the sign-in gate). */
export function useApi(): ApiClient {
  const { client } = useSession();
  if (client === null) throw new Error("useApi() used while signed out");
  return client;
}
