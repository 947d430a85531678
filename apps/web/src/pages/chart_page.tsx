import { useQuery } from "@tanstack/react-query";
import { useRef, type KeyboardEvent, type ReactNode } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { chartPath, versionPath } from "../api/api_client.ts";
import { ApiProblem } from "../api/api_problem.ts";
import type { Chart, ChartVersionDetail } from "../api/api_types.ts";
import { useApi } from "../auth/session.tsx";
import { ChartFacts } from "../chart/chart_facts.tsx";
import { CheckValuesView } from "../chart/check_values_view.tsx";
import type { ComparePair } from "../chart/compare_pair.ts";
import { CompareView } from "../chart/compare_view.tsx";
import { DownloadButton } from "../chart/download_button.tsx";
import { ReadmeView } from "../chart/readme_view.tsx";
import { SchemaView } from "../chart/schema_view.tsx";
import { ValuesView } from "../chart/values_view.tsx";
import { VersionsList } from "../chart/versions_list.tsx";
import { Empty, ErrorState, Loading } from "../components/states.tsx";
import { useRegistryNames } from "./use_registry_names.tsx";

const tabs = [
  { id: "readme", label: "README" },
  { id: "values", label: "Values" },
  { id: "schema", label: "Schema" },
  { id: "compare", label: "Compare with…" },
  { id: "check", label: "Check my values" },
] as const;
type TabId = (typeof tabs)[number]["id"];
type FileTab = Extract<TabId, "readme" | "values" | "schema">;

const fileTabs: Record<FileTab, { has: (d: ChartVersionDetail) => boolean; missing: string }> = {
  readme: { has: (d) => d.has_readme, missing: "This chart version has no README." },
  values: { has: (d) => d.has_values, missing: "This chart version has no values.yaml." },
  schema: { has: (d) => d.has_schema, missing: "This chart version has no values.schema.json." },
};

/**
 * A chart: its versions, and for the chosen one the README, values, schema, Chart.yaml facts and
 * archive, a comparison with another version, and a check of the user's values against it.
 */
export function ChartPage(): ReactNode {
  const api = useApi();
  const { registryId = "", chartName = "" } = useParams();
  const [params, setParams] = useSearchParams();
  const names = useRegistryNames();

  const chart = useQuery({
    queryKey: ["chart", registryId, chartName],
    queryFn: ({ signal }) => api.getJson<Chart>(chartPath(registryId, chartName), signal),
  });
  const version = params.get("version") ?? chart.data?.latest_version ?? null;
  const detail = useQuery({
    queryKey: ["version", registryId, chartName, version],
    queryFn: ({ signal }) => api.getJson<ChartVersionDetail>(versionPath(registryId, chartName, version ?? ""), signal),
    enabled: version !== null,
    refetchInterval: (query) => (query.state.data && query.state.data.state !== "ready" && query.state.data.state !== "failed" ? 3_000 : false),
  });
  const tab: TabId = (tabs.find((t) => t.id === params.get("tab"))?.id ?? "readme") as TabId;

  if (chart.isPending) return <Loading label="Loading chart…" />;
  if (chart.isError) {
    const notFound = chart.error instanceof ApiProblem && chart.error.status === 404;
    return notFound ? (
      <Empty title={`No chart “${chartName}” here`}>
        <p>
          It may have been removed from its repository. <Link to="/charts">Search all charts</Link>.
        </p>
      </Empty>
    ) : (
      <ErrorState error={chart.error} title="Cannot load this chart" onRetry={() => void chart.refetch()} />
    );
  }
  const c = chart.data;
  return (
    <article className="chart-page" aria-labelledby="chart-title">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/charts">Charts</Link> ›{" "}
        <Link to={`/charts?registry=${encodeURIComponent(c.registry_id)}`}>{names.get(c.registry_id) ?? "repository"}</Link> ›{" "}
        <span aria-current="page">{c.name}</span>
      </nav>
      <header className="chart-head">
        {c.icon && /^https:\/\//i.test(c.icon) ? <img className="chart-icon" src={c.icon} alt="" referrerPolicy="no-referrer" /> : null}
        <div>
          <h1 id="chart-title">
            {c.name} {c.deprecated ? <span className="badge badge-warn">deprecated</span> : null}
          </h1>
          <p className="muted">{c.description ?? "No description"}</p>
          <p className="muted">
            Latest {c.latest_version ?? "—"}
            {c.app_version ? ` · app ${c.app_version}` : ""} · {c.versions} version{c.versions === 1 ? "" : "s"}
            {version && version !== c.latest_version ? ` · showing ${version}` : ""}
          </p>
        </div>
      </header>
      <div className="chart-grid">
        <div className="chart-main">
          {version === null ? (
            <Empty title="This chart has no versions" />
          ) : detail.isPending ? (
            <Loading label={`Loading version ${version}…`} />
          ) : detail.isError ? (
            <ErrorState error={detail.error} title={`Cannot load version ${version}`} onRetry={() => void detail.refetch()} />
          ) : (
            <VersionTabs
              detail={detail.data}
              tab={tab}
              onTab={(t) => {
                const next = new URLSearchParams(params);
                next.set("tab", t);
                setParams(next, { replace: true });
              }}
              compared={{ from: params.get("from"), to: params.get("to") }}
              onCompare={(pair) => {
                const next = new URLSearchParams(params);
                next.set("from", pair.from);
                next.set("to", pair.to);
                setParams(next, { replace: true });
              }}
            />
          )}
        </div>
        <aside className="chart-side">
          {detail.data ? (
            <>
              {detail.data.deprecated ? (
                <p className="notice notice-warn" role="note">
                  Version {detail.data.version} is deprecated.
                </p>
              ) : null}
              <DownloadButton version={detail.data} />
              <ChartFacts chart={c} detail={detail.data} />
            </>
          ) : null}
          <VersionsList registryId={registryId} chart={chartName} selected={version} total={c.versions} />
        </aside>
      </div>
    </article>
  );
}

function VersionTabs(props: {
  detail: ChartVersionDetail;
  tab: TabId;
  onTab: (t: TabId) => void;
  compared: { from: string | null; to: string | null };
  onCompare: (pair: ComparePair) => void;
}): ReactNode {
  const { detail, tab, onTab } = props;
  const refs = useRef(new Map<TabId, HTMLButtonElement>());
  const onKey = (e: KeyboardEvent): void => {
    const index = tabs.findIndex((t) => t.id === tab);
    const delta = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
    const target =
      e.key === "Home" ? tabs[0] : e.key === "End" ? tabs[tabs.length - 1] : delta !== 0 ? tabs[(index + delta + tabs.length) % tabs.length] : undefined;
    if (!target) return;
    e.preventDefault();
    onTab(target.id);
    refs.current.get(target.id)?.focus();
  };
  return (
    <section className="card tabs-card">
      {detail.state === "failed" && detail.error ? (
        <div className="registry-error" role="alert">
          <p>
            <strong>This version failed:</strong> <code>{detail.error.code}</code> {detail.error.message}
          </p>
          {detail.error.solution ? <p>Solution: {detail.error.solution}</p> : null}
        </div>
      ) : null}
      <div role="tablist" aria-label="Chart version" className="tablist" onKeyDown={onKey}>
        {tabs.map((t) => (
          <button
            key={t.id}
            ref={(el) => {
              if (el) refs.current.set(t.id, el);
            }}
            role="tab"
            type="button"
            id={`tab-${t.id}`}
            aria-selected={t.id === tab}
            aria-controls={`panel-${t.id}`}
            tabIndex={t.id === tab ? 0 : -1}
            onClick={() => onTab(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      {tabs
        .filter((t) => t.id === tab)
        .map((t) => (
          <div key={t.id} role="tabpanel" id={`panel-${t.id}`} aria-labelledby={`tab-${t.id}`} className="tabpanel">
            {t.id === "compare" ? (
              <CompareView
                registryId={detail.registry_id}
                chart={detail.chart}
                selected={detail.version}
                chosen={props.compared}
                onChoose={props.onCompare}
              />
            ) : t.id === "check" ? (
              detail.state === "ready" ? (
                <CheckValuesView registryId={detail.registry_id} chart={detail.chart} version={detail.version} />
              ) : (
                <NotReady detail={detail} />
              )
            ) : (
              <FilePanel detail={detail} file={t.id} />
            )}
          </div>
        ))}
    </section>
  );
}

function FilePanel({ detail, file }: { detail: ChartVersionDetail; file: FileTab }): ReactNode {
  const api = useApi();
  const ready = detail.state === "ready";
  const present = fileTabs[file].has(detail);
  const content = useQuery({
    queryKey: ["file", detail.registry_id, detail.chart, detail.version, file],
    queryFn: ({ signal }) => api.getText(`${versionPath(detail.registry_id, detail.chart, detail.version)}/${file}`, signal),
    enabled: ready && present,
    staleTime: Infinity,
  });
  if (!ready) return <NotReady detail={detail} />;
  if (!present) return <Empty title={fileTabs[file].missing} />;
  if (content.isPending) return <Loading label={`Loading ${file}…`} />;
  if (content.isError) return <ErrorState error={content.error} title={`Cannot load the ${file}`} onRetry={() => void content.refetch()} />;
  if (file === "readme") return <ReadmeView markdown={content.data} />;
  if (file === "values") return <ValuesView text={content.data} />;
  return <SchemaView text={content.data} />;
}

function NotReady({ detail }: { detail: ChartVersionDetail }): ReactNode {
  return (
    <Empty title={detail.state === "failed" ? "This version could not be read" : "Not extracted yet"}>
      <p>
        Version {detail.version} is <strong>{detail.state}</strong>; its files appear once it is downloaded and read.
      </p>
    </Empty>
  );
}
