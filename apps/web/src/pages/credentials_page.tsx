import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import type { Credential, Page } from "../api/api_types.ts";
import { useApi } from "../auth/session.tsx";
import { Empty, ProblemDetails, QueryStates } from "../components/states.tsx";
import { relativeTime } from "../format/time_text.ts";
import { CredentialForm } from "./credential_form.tsx";
import { credentialKindLabel } from "./credential_kinds.ts";

/** Credentials: list, add (per-kind fields), delete. No secret is ever shown. */
export function CredentialsPage(): ReactNode {
  const api = useApi();
  const [adding, setAdding] = useState(false);
  const [added, setAdded] = useState<string | null>(null);
  const credentials = useInfiniteQuery({
    queryKey: ["credentials", "list"],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) =>
      api.getJson<Page<Credential>>(`/credentials?limit=100${pageParam ? `&cursor=${encodeURIComponent(pageParam)}` : ""}`, signal),
    getNextPageParam: (last) => last.next_cursor,
  });
  const items = credentials.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <section aria-labelledby="credentials-title">
      <div className="page-head">
        <h1 id="credentials-title">Credentials</h1>
        {!adding ? (
          <button type="button" className="primary" onClick={() => setAdding(true)}>
            Add
          </button>
        ) : null}
      </div>
      {added ? (
        <p className="notice" role="status">
          Added “{added}”. Pick it in a repository’s Credential list.
        </p>
      ) : null}
      {adding ? (
        <CredentialForm
          onAdded={(c) => {
            setAdding(false);
            setAdded(c.name);
          }}
          onCancel={() => setAdding(false)}
        />
      ) : null}
      <QueryStates
        query={credentials}
        loading="Loading credentials…"
        errorTitle="Cannot load credentials"
        loaded={() =>
          items.length === 0 ? (
            <Empty title="No credentials yet">
              <p>Public repositories need none. Add one for a private registry, then pick it when adding the repository.</p>
            </Empty>
          ) : (
            <>
              <ul className="credential-list" aria-label="Credentials">
                {items.map((c) => (
                  <CredentialRow key={c.id} credential={c} />
                ))}
              </ul>
              {credentials.hasNextPage ? (
                <button type="button" onClick={() => void credentials.fetchNextPage()}>
                  Load more credentials
                </button>
              ) : null}
            </>
          )
        }
      />
    </section>
  );
}

function CredentialRow({ credential }: { credential: Credential }): ReactNode {
  const api = useApi();
  const queryClient = useQueryClient();
  const [confirm, setConfirm] = useState(false);
  const remove = useMutation({
    mutationFn: () => api.send("DELETE", `/credentials/${credential.id}`),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ["credentials"] }),
  });
  return (
    <li className="card credential" data-testid="credential-row">
      <div className="registry-head">
        <h2>{credential.name}</h2>
        <span className="badge">{credentialKindLabel(credential.kind)}</span>
      </div>
      <p className="muted">
        {credential.username ? `User ${credential.username} · ` : ""}
        {credential.provider_hint ? `${credential.provider_hint} · ` : ""}
        added {relativeTime(credential.created_at)} · secret hidden
      </p>
      <div className="actions">
        {confirm ? (
          <>
            <button type="button" className="danger" onClick={() => remove.mutate()} disabled={remove.isPending}>
              Delete “{credential.name}”
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
    </li>
  );
}
