import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Link } from "react-router";
import type { Registry } from "../api/api_types.ts";
import { useLiveUpdates } from "../api/live_updates.tsx";
import type { SyncTally } from "../api/sync_tally.ts";
import { useApi } from "../auth/session.tsx";
import { CopyButton } from "../chart/copy_button.tsx";
import { ConfirmDelete } from "../components/confirm_delete.tsx";
import { ListPage } from "../components/list_page.tsx";
import { usePagedList } from "../components/paged_list.tsx";
import { Empty, ProblemDetails } from "../components/states.tsx";
import { intervalText, relativeTime } from "../format/time_text.ts";
import { helmRepoAddCommand } from "./helm_repo_add.ts";
import { RepositoryForm } from "./repository_form.tsx";

const pageSize = 50;

/** True while a registry's sync or its downloads are under way. */
function isActive(registry: Registry): boolean {
  return registry.status.state === "pending" || registry.status.state === "syncing" || registry.status.versions_pending > 0;
}

/** Repositories: the list with status and progress, errors with their solution, Sync now, Add. */
export function RepositoriesPage(): ReactNode {
  const live = useLiveUpdates();
  const registries = usePagedList<Registry>({
    queryKey: ["registries", "list"],
    path: "/registries",
    pageSize,
    // Events refresh the list; polling covers an API without events and a dropped stream, and
    // the quiet syncs (unchanged, so announced by no event) whose times "Last sync" shows.
    refetchInterval: (pages) => {
      const active = pages?.some((p) => p.items.some(isActive)) ?? false;
      if (!active) return live.state === "live" ? 60_000 : 15_000;
      return live.state === "live" ? 10_000 : 1_500;
    },
  });
  return (
    <ListPage
      id="repositories"
      title="Repositories"
      noun="repositories"
      list={registries}
      listClassName="registry-list"
      empty={
        <Empty title="No repositories yet">
          <p>Add an HTTP chart repository (index.yaml) or an OCI registry to start browsing its charts.</p>
        </Empty>
      }
      item={(r) => <RegistryCard key={r.id} registry={r} tally={live.tallies.get(r.id)} />}
      form={(added, cancel) => <RepositoryForm onAdded={(registry) => added(registry.name)} onCancel={cancel} />}
      addedHint="Its first sync has started."
      formWhenEmpty
    />
  );
}

const stateLabels: Record<Registry["status"]["state"], string> = {
  pending: "Waiting to sync",
  syncing: "Syncing",
  ok: "Ready",
  error: "Error",
  disabled: "Manual sync only",
};

function RegistryCard({ registry, tally }: { registry: Registry; tally: SyncTally | undefined }): ReactNode {
  const api = useApi();
  const queryClient = useQueryClient();
  const s = registry.status;
  const ready = s.versions_ready;
  const refresh = (): void => void queryClient.invalidateQueries({ queryKey: ["registries"] });
  const sync = useMutation({ mutationFn: () => api.send("POST", `/registries/${registry.id}/sync`), onSuccess: refresh });
  const remove = useMutation({ mutationFn: () => api.send("DELETE", `/registries/${registry.id}`), onSuccess: refresh });
  const headingId = `registry-${registry.id}`;
  const active = isActive(registry);
  const repoAdd = helmRepoAddCommand(registry.name, window.location.origin);

  return (
    <li className={`card registry registry-state-${s.state}`} aria-labelledby={headingId} data-testid="registry-card" data-registry-name={registry.name}>
      <div className="registry-head">
        <h2 id={headingId}>{registry.name}</h2>
        <span className={`badge state-${s.state}`} data-testid="registry-state">
          {stateLabels[s.state]}
        </span>
      </div>
      <p className="registry-url">
        <code>{registry.url}</code> <span className="muted">{registry.kind === "oci_registry" ? "OCI" : "HTTP"}</span>
      </p>
      <dl className="facts registry-facts">
        <div>
          <dt>Charts</dt>
          <dd>{s.charts}</dd>
        </div>
        <div>
          <dt>Versions found</dt>
          <dd data-testid="versions-found">{s.versions}</dd>
        </div>
        <div>
          <dt>Downloaded</dt>
          <dd data-testid="versions-downloaded">{s.versions_downloaded}</dd>
        </div>
        <div>
          <dt>Ready</dt>
          <dd data-testid="versions-ready">{ready}</dd>
        </div>
        <div>
          <dt>In progress</dt>
          <dd>{s.versions_pending}</dd>
        </div>
        <div>
          <dt>Failed</dt>
          <dd>{s.versions_failed}</dd>
        </div>
      </dl>
      {s.versions > 0 && (active || s.versions_failed > 0) ? (
        <div className="progress-row">
          <progress max={s.versions} value={ready + s.versions_failed} aria-label={`Sync progress of ${registry.name}`} />
          <span className="muted">
            {ready} of {s.versions} ready
          </span>
        </div>
      ) : active ? (
        <div className="progress-row">
          <progress aria-label={`Sync progress of ${registry.name}`} />
          <span className="muted">Reading the index…</span>
        </div>
      ) : null}
      {tally && (tally.syncing || tally.discovered + tally.ready + tally.failed + tally.removed > 0) ? (
        <p className="muted live-tally" data-testid="live-tally">
          {tally.syncing ? "This sync so far: " : "Last sync: "}
          {tally.discovered} new version{tally.discovered === 1 ? "" : "s"} found, {tally.ready} ready
          {tally.failed > 0 ? `, ${tally.failed} failed` : ""}
          {tally.removed > 0 ? `, ${tally.removed} removed` : ""}
        </p>
      ) : null}
      <div className="helm-repo-add" data-testid="helm-repo-add">
        <span className="muted">Use it with helm (an API token with read in CHARTHOUSE_TOKEN):</span>
        <code>{repoAdd}</code>
        <CopyButton text={repoAdd} label="Copy helm repo add" />
      </div>
      <p className="muted registry-times">
        Last sync {relativeTime(s.last_sync_at)}
        {s.last_outcome ? ` (${s.last_outcome})` : ""} · syncs {intervalText(registry.sync_interval_seconds)}
        {s.next_sync_at && registry.sync_interval_seconds > 0 ? ` · next ${relativeTime(s.next_sync_at)}` : ""}
      </p>
      {s.last_error ? (
        <div className="registry-error" role="group" aria-label={`Error of ${registry.name}`} data-testid="registry-error">
          <dl className="problem">
            <dt>Code</dt>
            <dd>
              <code data-testid="error-code">{s.last_error.code}</code>
            </dd>
            <dt>What happened</dt>
            <dd>{s.last_error.message}</dd>
            {s.last_error.cause ? (
              <>
                <dt>Cause</dt>
                <dd data-testid="error-cause">{s.last_error.cause}</dd>
              </>
            ) : null}
            {s.last_error.solution ? (
              <>
                <dt>Solution</dt>
                <dd data-testid="error-solution">{s.last_error.solution}</dd>
              </>
            ) : null}
          </dl>
        </div>
      ) : null}
      <div className="actions">
        <button type="button" className={s.last_error ? "primary" : ""} onClick={() => sync.mutate()} disabled={sync.isPending}>
          {sync.isPending ? "Requesting…" : "Sync now"}
        </button>
        <Link className="button" to={`/charts?registry=${encodeURIComponent(registry.id)}`}>
          Browse charts
        </Link>
        <ConfirmDelete label={`Delete “${registry.name}” and its charts`} pending={remove.isPending} onDelete={() => remove.mutate()} />
      </div>
      {sync.isSuccess ? (
        <p className="muted" role="status">
          Sync requested.
        </p>
      ) : null}
      {sync.error || remove.error ? (
        <div role="alert" className="state-error inline-error">
          <ProblemDetails error={sync.error ?? remove.error} />
        </div>
      ) : null}
    </li>
  );
}
