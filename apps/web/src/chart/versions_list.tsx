import { useQuery } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { Link, useSearchParams } from "react-router";
import { chartPath } from "../api/api_client.ts";
import type { ChartVersion, Page } from "../api/api_types.ts";
import { useApi } from "../auth/session.tsx";
import { QueryStates } from "../components/states.tsx";

const pageSize = 25;

/** A chart's versions, newest first, a page at a time; deprecated ones marked. */
export function VersionsList(props: { registryId: string; chart: string; selected: string | null; total: number }): ReactNode {
  const api = useApi();
  const [params] = useSearchParams();
  // Keeps the open tab when another version is picked; a comparison starts again from that version.
  const linkTo = (version: string): string => {
    const next = new URLSearchParams(params);
    next.set("version", version);
    next.delete("from");
    next.delete("to");
    return `?${next.toString()}`;
  };
  // Cursors of the pages before the current one, so Previous needs no extra request.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const versions = useQuery({
    queryKey: ["versions", props.registryId, props.chart, cursor],
    queryFn: ({ signal }) =>
      api.getJson<Page<ChartVersion>>(
        `${chartPath(props.registryId, props.chart)}/versions?limit=${pageSize}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
        signal,
      ),
    placeholderData: (previous) => previous,
  });
  const pageNumber = cursors.length;
  const pages = Math.max(1, Math.ceil(props.total / pageSize));

  return (
    <section className="card versions-card" aria-labelledby="versions-title">
      <h2 id="versions-title">Versions</h2>
      <QueryStates
        query={versions}
        loading="Loading versions…"
        errorTitle="Cannot load versions"
        loaded={(data) =>
          data.items.length === 0 ? (
            <p className="muted">No versions.</p>
          ) : (
            <>
              <ol className="versions" data-testid="versions">
                {data.items.map((v) => (
                  <li key={v.version} className={v.version === props.selected ? "selected" : ""} data-testid="version-row">
                    <Link
                      to={linkTo(v.version)}
                      aria-current={v.version === props.selected ? "true" : undefined}
                      replace
                    >
                      <span className="version-name">{v.version}</span>
                      {v.deprecated ? <span className="badge badge-warn">deprecated</span> : null}
                      {v.state !== "ready" ? <span className={`badge version-${v.state}`}>{v.state}</span> : null}
                      {v.app_version ? <span className="muted"> app {v.app_version}</span> : null}
                    </Link>
                  </li>
                ))}
              </ol>
              <nav className="pager" aria-label="Version pages">
                <button type="button" onClick={() => setCursors(cursors.slice(0, -1))} disabled={cursors.length <= 1}>
                  Newer
                </button>
                <span className="muted">
                  Page {pageNumber} of {pages}
                </span>
                <button
                  type="button"
                  onClick={() => {
                    const next = data.next_cursor;
                    if (next) setCursors([...cursors, next]);
                  }}
                  disabled={!data.next_cursor}
                >
                  Older
                </button>
              </nav>
            </>
          )
        }
      />
    </section>
  );
}
