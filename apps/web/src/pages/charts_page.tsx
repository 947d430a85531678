import { useInfiniteQuery } from "@tanstack/react-query";
import { useWindowVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from "react";
import { Link, useSearchParams } from "react-router";
import { queryString } from "../api/api_client.ts";
import type { Chart, Page } from "../api/api_types.ts";
import { useApi } from "../auth/session.tsx";
import { Empty, Loading, QueryStates } from "../components/states.tsx";
import { useRegistryNames } from "./use_registry_names.tsx";

const pageSize = 100;

/** Charts of every registry, searched by name, description and keywords; a virtualised list. */
export function ChartsPage(): ReactNode {
  const api = useApi();
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const registryId = params.get("registry") ?? "";
  const [input, setInput] = useState(q);
  const names = useRegistryNames();

  // Typing updates the URL (and so the query) a quarter second after the last key.
  useEffect(() => {
    if (input === q) return;
    const timer = setTimeout(() => {
      const next = new URLSearchParams(params);
      if (input === "") next.delete("q");
      else next.set("q", input);
      setParams(next, { replace: true });
    }, 250);
    return () => clearTimeout(timer);
  }, [input, q, params, setParams]);

  const charts = useInfiniteQuery({
    queryKey: ["charts", { q, registryId }],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) =>
      api.getJson<Page<Chart>>(`/charts${queryString({ q, registry_id: registryId, limit: pageSize, cursor: pageParam })}`, signal),
    getNextPageParam: (last) => last.next_cursor,
    placeholderData: (previous) => previous,
  });
  const items = charts.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <section aria-labelledby="charts-title">
      <div className="page-head">
        <h1 id="charts-title">Charts</h1>
        <Link to="/repositories" className="button">
          Repositories
        </Link>
      </div>
      <form role="search" className="search" onSubmit={(e) => e.preventDefault()}>
        <label htmlFor="chart-search" className="visually-hidden">
          Search charts
        </label>
        <input
          id="chart-search"
          type="search"
          placeholder="Search by name, description or keyword"
          value={input}
          onChange={(e) => setInput(e.target.value)}
          autoComplete="off"
        />
        {registryId !== "" ? (
          <span className="chip">
            in {names.get(registryId) ?? "one repository"}
            <button
              type="button"
              aria-label="Show charts of every repository"
              onClick={() => {
                const next = new URLSearchParams(params);
                next.delete("registry");
                setParams(next);
              }}
            >
              ×
            </button>
          </span>
        ) : null}
      </form>
      <QueryStates
        query={charts}
        loading="Loading charts…"
        errorTitle="Cannot load charts"
        loaded={() =>
          items.length === 0 ? (
            q !== "" ? (
              <Empty title={`No chart matches “${q}”`}>
                <p>Search looks at chart names, descriptions and keywords.</p>
              </Empty>
            ) : (
              <Empty title="No charts yet">
                <p>
                  <Link to="/repositories">Add a repository</Link>; its charts appear here once its first sync has run.
                </p>
              </Empty>
            )
          ) : (
            <ChartList
              items={items}
              names={names}
              hasMore={charts.hasNextPage}
              loadingMore={charts.isFetchingNextPage}
              searching={charts.isFetching && !charts.isFetchingNextPage}
              loadMore={() => void charts.fetchNextPage()}
            />
          )
        }
      />
    </section>
  );
}

function ChartList(props: {
  items: Chart[];
  names: ReadonlyMap<string, string>;
  hasMore: boolean;
  loadingMore: boolean;
  searching: boolean;
  loadMore: () => void;
}): ReactNode {
  const { items, names, hasMore, loadingMore, loadMore } = props;
  const listRef = useRef<HTMLUListElement>(null);
  const [offset, setOffset] = useState(0);
  useLayoutEffect(() => {
    setOffset(listRef.current?.offsetTop ?? 0);
  }, []);
  const virtualizer = useWindowVirtualizer({
    count: items.length,
    estimateSize: () => 84,
    overscan: 6,
    scrollMargin: offset,
  });
  const virtualItems = virtualizer.getVirtualItems();
  const lastIndex = virtualItems[virtualItems.length - 1]?.index ?? 0;
  useEffect(() => {
    if (hasMore && !loadingMore && lastIndex >= items.length - 20) loadMore();
  }, [hasMore, loadingMore, lastIndex, items.length, loadMore]);

  return (
    <>
      <p className="muted list-count" aria-live="polite" data-testid="chart-count">
        {props.searching ? "Searching… " : ""}
        {items.length}
        {hasMore ? "+" : ""} chart{items.length === 1 ? "" : "s"}
      </p>
      <ul ref={listRef} className="chart-list" style={{ height: virtualizer.getTotalSize() }} aria-label="Charts">
        {virtualItems.map((row) => {
          const chart = items[row.index];
          if (!chart) return null;
          return (
            <li
              key={`${chart.registry_id}/${chart.name}`}
              data-index={row.index}
              ref={virtualizer.measureElement}
              className="chart-row"
              data-testid="chart-row"
              aria-setsize={hasMore ? -1 : items.length}
              aria-posinset={row.index + 1}
              style={{ transform: `translateY(${row.start - virtualizer.options.scrollMargin}px)` }}
            >
              <Link to={`/charts/${encodeURIComponent(chart.registry_id)}/${encodeURIComponent(chart.name)}`}>
                <span className="chart-name">{chart.name}</span>
                {chart.deprecated ? <span className="badge badge-warn">deprecated</span> : null}
                <span className="chart-version">{chart.latest_version ?? "no version"}</span>
                <span className="chart-meta">
                  {names.get(chart.registry_id) ?? "repository"} · {chart.versions} version{chart.versions === 1 ? "" : "s"}
                  {chart.app_version ? ` · app ${chart.app_version}` : ""}
                </span>
                <span className="chart-description">{chart.description ?? ""}</span>
              </Link>
            </li>
          );
        })}
      </ul>
      {loadingMore ? <Loading label="Loading more charts…" /> : null}
    </>
  );
}
