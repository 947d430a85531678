import type { ReactNode } from "react";
import type { Chart, ChartVersionDetail } from "../api/api_types.ts";
import { byteSize } from "../format/time_text.ts";

/** The Chart.yaml facts of a version: app version, kube version, dependencies, maintainers, sources. */
export function ChartFacts({ chart, detail }: { chart: Chart; detail: ChartVersionDetail }): ReactNode {
  const dependencies = detail.dependencies.filter(isRecord);
  const maintainers = detail.maintainers.filter(isRecord);
  return (
    <section className="card facts-card" aria-labelledby="facts-title" data-testid="chart-facts">
      <h2 id="facts-title">Chart.yaml</h2>
      <dl className="facts">
        <div>
          <dt>Version</dt>
          <dd>{detail.version}</dd>
        </div>
        <div>
          <dt>App version</dt>
          <dd data-testid="app-version">{detail.app_version ?? "—"}</dd>
        </div>
        <div>
          <dt>Kubernetes</dt>
          <dd>{detail.kube_version ?? "any"}</dd>
        </div>
        <div>
          <dt>Type</dt>
          <dd>{detail.type ?? "application"}</dd>
        </div>
        <div>
          <dt>Archive</dt>
          <dd>{byteSize(detail.size)}</dd>
        </div>
        {detail.created ? (
          <div>
            <dt>Published</dt>
            <dd>{new Date(detail.created).toLocaleDateString()}</dd>
          </div>
        ) : null}
      </dl>
      {chart.home && isWebUrl(chart.home) ? (
        <p>
          Home: <ExternalLink href={chart.home} />
        </p>
      ) : null}
      <h3>Dependencies</h3>
      {dependencies.length === 0 ? (
        <p className="muted">None</p>
      ) : (
        <ul className="plain-list">
          {dependencies.map((d, i) => (
            <li key={`${text(d["name"])}-${i}`}>
              <code>{text(d["name"])}</code> {text(d["version"])}
              {d["repository"] ? <span className="muted"> from {text(d["repository"])}</span> : null}
              {d["condition"] ? <span className="muted"> if {text(d["condition"])}</span> : null}
            </li>
          ))}
        </ul>
      )}
      <h3>Maintainers</h3>
      {maintainers.length === 0 ? (
        <p className="muted">None listed</p>
      ) : (
        <ul className="plain-list">
          {maintainers.map((m, i) => (
            <li key={`${text(m["name"])}-${i}`}>
              {text(m["name"])}
              {typeof m["email"] === "string" && m["email"] !== "" ? <span className="muted"> &lt;{m["email"]}&gt;</span> : null}
              {typeof m["url"] === "string" && isWebUrl(m["url"]) ? (
                <>
                  {" "}
                  <ExternalLink href={m["url"]} />
                </>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      <h3>Sources</h3>
      {detail.sources.length === 0 ? (
        <p className="muted">None listed</p>
      ) : (
        <ul className="plain-list">
          {detail.sources.map((s) => (
            <li key={s}>{isWebUrl(s) ? <ExternalLink href={s} /> : <code>{s}</code>}</li>
          ))}
        </ul>
      )}
      {detail.keywords.length > 0 ? (
        <>
          <h3>Keywords</h3>
          <p className="keywords">
            {detail.keywords.map((k) => (
              <span key={k} className="badge">
                {k}
              </span>
            ))}
          </p>
        </>
      ) : null}
      {detail.digest ? (
        <p className="muted digest">
          Digest <code>{detail.digest}</code>
        </p>
      ) : null}
    </section>
  );
}

/** A link to another site, opened without referrer; only http(s) addresses get one. */
function ExternalLink({ href }: { href: string }): ReactNode {
  return (
    <a href={href} target="_blank" rel="noopener noreferrer nofollow">
      {href}
    </a>
  );
}

function isWebUrl(value: string): boolean {
  return /^https?:\/\//i.test(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(value: unknown): string {
  return typeof value === "string" || typeof value === "number" ? String(value) : "";
}
