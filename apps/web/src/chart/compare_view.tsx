import { useQuery } from "@tanstack/react-query";
import { useId, type ReactNode } from "react";
import { chartPath, queryString } from "../api/api_client.ts";
import type { VersionComparison } from "../api/api_types.ts";
import { useApi } from "../auth/session.tsx";
import { Empty, QueryStates } from "../components/states.tsx";
import { comparePair, type ComparePair } from "./compare_pair.ts";
import { changeCounts, isEmptyComparison } from "./compare_rows.ts";
import { ChartYamlChanges, Changelog, ImageChanges, SchemaChanges, ValuesChanges } from "./compare_sections.tsx";
import { useReadyVersions } from "./use_ready_versions.tsx";

/**
 * "Compare with…": two pickers of the chart's ready versions (by default the selected one and the
 * one before it), and what changed between them: values, schema, Chart.yaml and dependencies,
 * images, changelog.
 */
export function CompareView(props: {
  registryId: string;
  chart: string;
  selected: string | null;
  chosen: { from: string | null; to: string | null };
  onChoose: (pair: ComparePair) => void;
}): ReactNode {
  const id = useId();
  const ready = useReadyVersions(props.registryId, props.chart);
  return (
    <QueryStates
      query={ready}
      loading="Loading versions…"
      errorTitle="Cannot load the chart's versions"
      loaded={(versions) => {
        const pair = comparePair(versions, props.selected, props.chosen);
        if (pair === null) {
          return (
            <Empty title="No version is ready to compare">
              <p>Versions can be compared once they are downloaded and read.</p>
            </Empty>
          );
        }
        return (
          <div className="compare" data-testid="compare">
            <div className="compare-pickers">
              <VersionPicker id={`${id}-from`} label="From" versions={versions} value={pair.from} onChange={(from) => props.onChoose({ ...pair, from })} />
              <button type="button" onClick={() => props.onChoose({ from: pair.to, to: pair.from })} aria-label="Swap the two versions">
                ⇄ Swap
              </button>
              <VersionPicker id={`${id}-to`} label="To" versions={versions} value={pair.to} onChange={(to) => props.onChoose({ ...pair, to })} />
            </div>
            {versions.length < 2 ? <p className="muted">Only one version is ready: there is nothing to compare it with yet.</p> : null}
            <Comparison registryId={props.registryId} chart={props.chart} pair={pair} />
          </div>
        );
      }}
    />
  );
}

function VersionPicker(props: { id: string; label: string; versions: string[]; value: string; onChange: (version: string) => void }): ReactNode {
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <select id={props.id} value={props.value} onChange={(e) => props.onChange(e.target.value)}>
        {props.versions.map((v) => (
          <option key={v} value={v}>
            {v}
          </option>
        ))}
      </select>
    </div>
  );
}

function Comparison({ registryId, chart, pair }: { registryId: string; chart: string; pair: ComparePair }): ReactNode {
  const api = useApi();
  const comparison = useQuery({
    queryKey: ["compare", registryId, chart, pair.from, pair.to],
    queryFn: ({ signal }) => api.getJson<VersionComparison>(`${chartPath(registryId, chart)}/compare${queryString({ from: pair.from, to: pair.to })}`, signal),
    // Ready versions do not change: a comparison once made stays right.
    staleTime: Infinity,
  });
  return (
    <QueryStates
      query={comparison}
      loading={`Comparing ${pair.from} with ${pair.to}…`}
      errorTitle={`Cannot compare ${pair.from} with ${pair.to}`}
      loaded={(c) => {
        if (isEmptyComparison(c)) {
          return (
            <div data-testid="compare-empty">
              <Empty title={c.from === c.to ? "A version compared with itself: nothing differs" : `No differences between ${c.from} and ${c.to}`}>
                <p>Values, schema, Chart.yaml, dependencies and images are the same, and no changelog entry lies between them.</p>
              </Empty>
            </div>
          );
        }
        const counts = changeCounts(c);
        return (
          <div className="compare-sections">
            <Section title="Values" count={counts.values} testId="compare-values">
              <ValuesChanges values={c.values} />
            </Section>
            <Section title="Schema" count={counts.schema} testId="compare-schema">
              <SchemaChanges schema={c.schema} />
            </Section>
            <Section title="Chart.yaml and dependencies" count={counts.chartYaml} testId="compare-chart-yaml">
              <ChartYamlChanges chartYaml={c.chart_yaml} />
            </Section>
            <Section title="Images" count={counts.images} testId="compare-images">
              <ImageChanges images={c.images} from={c.from} to={c.to} />
            </Section>
            <Section title="Changelog" count={counts.changelog} testId="compare-changelog">
              <Changelog entries={c.changelog} />
            </Section>
          </div>
        );
      }}
    />
  );
}

function Section({ title, count, testId, children }: { title: string; count: number; testId: string; children: ReactNode }): ReactNode {
  const id = useId();
  return (
    <section className="compare-section" aria-labelledby={id} data-testid={testId}>
      <h3 id={id}>
        {title} <span className="badge">{count === 0 ? "no changes" : `${count} change${count === 1 ? "" : "s"}`}</span>
      </h3>
      {children}
    </section>
  );
}
