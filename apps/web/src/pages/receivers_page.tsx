import { useState, type ReactNode } from "react";
import type { Receiver } from "../api/api_types.ts";
import { CopyButton } from "../chart/copy_button.tsx";
import { DeleteRow } from "../components/confirm_delete.tsx";
import { ListPage } from "../components/list_page.tsx";
import { usePagedList } from "../components/paged_list.tsx";
import { Empty } from "../components/states.tsx";
import { relativeTime } from "../format/time_text.ts";
import { ReceiverForm } from "./receiver_form.tsx";
import { receiverKindLabel } from "./receiver_kinds.ts";
import { useRegistryNames } from "./use_registry_names.tsx";

/** Receivers: list, add (the secret and the sender's snippet shown once), delete. */
export function ReceiversPage(): ReactNode {
  const receivers = usePagedList<Receiver>({ queryKey: ["receivers", "list"], path: "/receivers", pageSize: 100 });
  const names = useRegistryNames();
  const [created, setCreated] = useState<Receiver | null>(null);
  return (
    <ListPage
      id="receivers"
      title="Receivers"
      noun="receivers"
      list={receivers}
      listClassName="receiver-list"
      empty={
        <Empty title="No receivers yet">
          <p>A receiver takes a registry’s push events (docker-registry, Harbor, Docker Hub, GitHub, ACR, zot) and syncs the pushed chart at once.</p>
        </Empty>
      }
      item={(r) => <ReceiverRow key={r.id} receiver={r} registryName={names.get(r.registry_id) ?? r.registry_id} />}
      form={(added, cancel) => (
        <ReceiverForm
          onAdded={(r) => {
            setCreated(r);
            added(r.name);
          }}
          onCancel={cancel}
        />
      )}
      addedHint="Paste its setup into the sender now: the secret is shown only this once."
      afterAdded={created ? <SenderSetup receiver={created} title="Setup for the sender (secret included, shown once)" open /> : null}
    />
  );
}

function ReceiverRow({ receiver, registryName }: { receiver: Receiver; registryName: string }): ReactNode {
  return (
    <li className="card receiver" data-testid="receiver-row">
      <div className="registry-head">
        <h2>{receiver.name}</h2>
        <span className="badge">{receiverKindLabel(receiver.kind)}</span>
      </div>
      <p className="muted">
        Syncs {registryName} · added {relativeTime(receiver.created_at)} · secret hidden
      </p>
      <p>
        <code>{receiver.url}</code> <CopyButton text={receiver.url} label="Copy URL" />
      </p>
      <SenderSetup receiver={receiver} title="Setup for the sender" />
      <DeleteRow path={`/receivers/${receiver.id}`} name={receiver.name} queryKey={["receivers"]} />
    </li>
  );
}

/** The snippet to paste into the sender's configuration, with a copy button. */
function SenderSetup({ receiver, title, open }: { receiver: Receiver; title: string; open?: boolean }): ReactNode {
  return (
    <details className="sender-setup" open={open} data-testid="sender-setup">
      <summary>{title}</summary>
      <pre>
        <code>{receiver.snippet.content}</code>
      </pre>
      <CopyButton text={receiver.snippet.content} label="Copy setup" />
    </details>
  );
}
