import { useState, type FormEvent, type ReactNode } from "react";
import { useSession } from "../auth/session.tsx";
import { ProblemDetails } from "../components/states.tsx";

/** Sign-in with an API token; the token goes into this tab's sessionStorage (or memory), never a URL. */
export function SignInPage(): ReactNode {
  const { signIn, notice } = useSession();
  const [token, setToken] = useState("");
  const [remember, setRemember] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(token, remember);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <main id="main" className="sign-in">
      <h1>Charthouse</h1>
      <p className="muted">A live catalogue of the Helm charts in your registries.</p>
      {notice ? (
        <p className="notice" role="status">
          {notice}
        </p>
      ) : null}
      <form onSubmit={(e) => void submit(e)} className="card form" aria-describedby="token-help">
        <label htmlFor="token">API token</label>
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="off"
          spellCheck={false}
          required
          autoFocus
          value={token}
          onChange={(e) => setToken(e.target.value)}
        />
        <p id="token-help" className="hint">
          <code>npm start</code> prints the admin token. It is sent only in the Authorization header.
        </p>
        <label className="checkbox">
          <input type="checkbox" checked={remember} onChange={(e) => setRemember(e.target.checked)} />
          Keep me signed in while this tab is open
        </label>
        <button type="submit" className="primary" disabled={busy || token.trim() === ""}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
        {error !== null ? (
          <div role="alert" className="state-error inline-error">
            <ProblemDetails error={error} />
          </div>
        ) : null}
      </form>
    </main>
  );
}
