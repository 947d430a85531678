import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import type { Page, Subscription, WebhookDelivery } from "../api/api_types.ts";
import { useApi } from "../auth/session.tsx";
import { ConfirmDelete } from "../components/confirm_delete.tsx";
import { ListPage } from "../components/list_page.tsx";
import { usePagedList } from "../components/paged_list.tsx";
import { Empty, ProblemDetails, QueryStates } from "../components/states.tsx";
import { relativeTime } from "../format/time_text.ts";
import { SubscriptionForm } from "./subscription_form.tsx";
import { useRegistryNames } from "./use_registry_names.tsx";

/** Subscriptions (watch rules): list, add (the secret shown once), delete, a test event, and each one's recent deliveries. */
export function SubscriptionsPage(): ReactNode {
  const subscriptions = usePagedList<Subscription>({ queryKey: ["subscriptions", "list"], path: "/subscriptions", pageSize: 100 });
  return (
    <ListPage
      id="subscriptions"
      title="Subscriptions"
      noun="subscriptions"
      list={subscriptions}
      listClassName="subscription-list"
      empty={
        <Empty title="No subscriptions yet">
          <p>Add one to be told, by a signed webhook, when a chart version you watch appears.</p>
        </Empty>
      }
      item={(s) => <SubscriptionRow key={s.id} subscription={s} />}
      form={(added, cancel) => <SubscriptionForm onAdded={added} onCancel={cancel} />}
      addedHint="Its deliveries appear under it."
    />
  );
}

function ruleText(subscription: Subscription, registries: ReadonlyMap<string, string>): string {
  const where = subscription.registry_id === null ? "every repository" : (registries.get(subscription.registry_id) ?? "a repository");
  const chart = subscription.chart ?? "every chart";
  const versions = subscription.version_range ?? "every version";
  return `${subscription.events.join(", ")} · ${where} · ${chart} · ${versions}${subscription.include_prereleases ? " (pre-releases too)" : ""}`;
}

function SubscriptionRow({ subscription }: { subscription: Subscription }): ReactNode {
  const api = useApi();
  const queryClient = useQueryClient();
  const registries = useRegistryNames();
  const [open, setOpen] = useState(false);
  const remove = useMutation({
    mutationFn: () => api.send("DELETE", `/subscriptions/${subscription.id}`),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ["subscriptions"] }),
  });
  const test = useMutation({
    mutationFn: () => api.send<WebhookDelivery>("POST", `/subscriptions/${subscription.id}/test`),
    onSuccess: () => {
      setOpen(true);
      void queryClient.invalidateQueries({ queryKey: ["subscriptions", "deliveries", subscription.id] });
    },
  });
  const error = remove.error ?? test.error;
  return (
    <li className="card subscription" data-testid="subscription-row">
      <div className="registry-head">
        <h2>{subscription.name}</h2>
        <span className="badge">{subscription.format === "slack" ? "Slack" : "CloudEvents"}</span>
      </div>
      <p className="muted">
        {hostOf(subscription.url)} · {ruleText(subscription, registries)} · added {relativeTime(subscription.created_at)} · secret hidden
      </p>
      <div className="actions">
        <button type="button" onClick={() => setOpen(!open)} aria-expanded={open}>
          {open ? "Hide deliveries" : "Deliveries"}
        </button>
        <button type="button" onClick={() => test.mutate()} disabled={test.isPending}>
          Send a test event
        </button>
        <ConfirmDelete label={`Delete “${subscription.name}”`} pending={remove.isPending} onDelete={() => remove.mutate()} />
      </div>
      {error ? (
        <div role="alert" className="state-error inline-error">
          <ProblemDetails error={error} />
        </div>
      ) : null}
      {open ? <RecentDeliveries subscriptionId={subscription.id} /> : null}
    </li>
  );
}

function RecentDeliveries({ subscriptionId }: { subscriptionId: string }): ReactNode {
  const api = useApi();
  const query = useQuery({
    queryKey: ["subscriptions", "deliveries", subscriptionId],
    queryFn: ({ signal }) => api.getJson<Page<WebhookDelivery>>(`/subscriptions/${subscriptionId}/deliveries?limit=20`, signal),
    // Pending deliveries change on their own: look again while any is pending.
    refetchInterval: (q) => (q.state.data?.items.some((d) => d.status === "pending") ? 2_000 : false),
  });
  return (
    <QueryStates
      query={query}
      loading="Loading deliveries…"
      errorTitle="Cannot load deliveries"
      loaded={(page) =>
        page.items.length === 0 ? (
          <p className="muted">No deliveries yet.</p>
        ) : (
          <div className="table-scroll">
          <table className="diff-table" aria-label="Recent deliveries">
            <thead>
              <tr>
                <th scope="col">Event</th>
                <th scope="col">Status</th>
                <th scope="col">Attempts</th>
                <th scope="col">Last answer</th>
                <th scope="col">When</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((d) => (
                <tr key={d.id} data-testid="delivery-row">
                  <td>{d.event_type}</td>
                  <td>
                    <span className={deliveryBadge[d.status]}>{d.status}</span>
                  </td>
                  <td>{d.attempts}</td>
                  <td>{d.last_error ?? (d.last_status_code === null ? "–" : `HTTP ${d.last_status_code}`)}</td>
                  <td>{d.status === "pending" && d.next_attempt_at !== null ? `next ${relativeTime(d.next_attempt_at)}` : relativeTime(d.updated_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          </div>
        )
      }
    />
  );
}

const deliveryBadge = { delivered: "badge", pending: "badge badge-warn", failed: "badge state-error" } as const;

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
