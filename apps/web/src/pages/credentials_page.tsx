import type { ReactNode } from "react";
import type { Credential } from "../api/api_types.ts";
import { DeleteRow } from "../components/confirm_delete.tsx";
import { ListPage } from "../components/list_page.tsx";
import { usePagedList } from "../components/paged_list.tsx";
import { Empty } from "../components/states.tsx";
import { relativeTime } from "../format/time_text.ts";
import { CredentialForm } from "./credential_form.tsx";
import { credentialKindLabel } from "./credential_kinds.ts";

/** Credentials: list, add (per-kind fields), delete. No secret is ever shown. */
export function CredentialsPage(): ReactNode {
  const credentials = usePagedList<Credential>({ queryKey: ["credentials", "list"], path: "/credentials", pageSize: 100 });
  return (
    <ListPage
      id="credentials"
      title="Credentials"
      noun="credentials"
      list={credentials}
      listClassName="credential-list"
      empty={
        <Empty title="No credentials yet">
          <p>Public repositories need none. Add one for a private registry, then pick it when adding the repository.</p>
        </Empty>
      }
      item={(c) => <CredentialRow key={c.id} credential={c} />}
      form={(added, cancel) => <CredentialForm onAdded={(c) => added(c.name)} onCancel={cancel} />}
      addedHint="Pick it in a repository’s Credential list."
    />
  );
}

function CredentialRow({ credential }: { credential: Credential }): ReactNode {
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
      <DeleteRow path={`/credentials/${credential.id}`} name={credential.name} queryKey={["credentials"]} />
    </li>
  );
}
