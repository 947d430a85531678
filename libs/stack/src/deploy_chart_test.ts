import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { streams } from "@charthouse/contracts";
import { makeTempDir, removeTempDir, runHelm } from "@charthouse/testing";
import { parseAllDocuments, stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { services } from "./services.ts";
import { workspaceRoot } from "./start_stack.ts";

const chart = join(workspaceRoot, "deploy/charthouse");

const manifestSchema = z.object({
  kind: z.string(),
  metadata: z.object({ name: z.string(), labels: z.record(z.string(), z.string()).optional() }),
});

const httpGetSchema = z.object({ httpGet: z.object({ path: z.string(), port: z.union([z.string(), z.number()]) }) });

const deploymentSchema = z.object({
  metadata: z.object({ name: z.string(), labels: z.record(z.string(), z.string()) }),
  spec: z.object({
    replicas: z.number().optional(),
    template: z.object({
      metadata: z.object({ annotations: z.record(z.string(), z.string()) }),
      spec: z.object({
        containers: z.array(
          z.object({
            args: z.array(z.string()),
            env: z.array(z.object({ name: z.string() })),
            ports: z.array(z.object({ name: z.string(), containerPort: z.number() })),
            livenessProbe: httpGetSchema,
            readinessProbe: httpGetSchema,
          }),
        ),
      }),
    }),
  }),
});

const scaledObjectSchema = z.object({
  spec: z.object({
    scaleTargetRef: z.object({ name: z.string() }),
    triggers: z.array(
      z.object({ type: z.string(), metadata: z.object({ stream: z.string(), consumer: z.string() }) }),
    ),
  }),
});

/** The manifests `helm template` renders for the chart with these --set values. */
async function renderChart(values: readonly string[] = []): Promise<Array<z.infer<typeof manifestSchema> & { raw: unknown }>> {
  const stdout = await runHelm(["template", "ch", chart, ...values.flatMap((value) => ["--set", value])]);
  return parseAllDocuments(stdout)
    .map((document) => document.toJS() as unknown)
    .filter((raw) => raw !== null)
    .map((raw) => ({ ...manifestSchema.parse(raw), raw }));
}

/** Every optional part of the chart, as the value that turns it on. */
const toggles = [
  "autoscaling.enabled=true",
  "podDisruptionBudget.enabled=true",
  "serviceMonitor.enabled=true",
  "prometheusRule.enabled=true",
  "grafanaDashboard.enabled=true",
  "ingress.enabled=true",
  "networkPolicy.enabled=true",
] as const;

/** The metrics Charthouse's services export: what the alerts and the dashboard may use. */
const exportedMetrics = [
  "charthouse_registries",
  "charthouse_chart_versions",
  "charthouse_last_successful_sync_timestamp_seconds",
  "charthouse_oldest_successful_sync_timestamp_seconds",
  "charthouse_jetstream_consumer_pending",
  "charthouse_jetstream_consumer_ack_pending",
  "charthouse_sse_clients",
  "charthouse_dead_letters",
  "charthouse_http_requests_total",
  "charthouse_http_request_duration_seconds_bucket",
  "charthouse_messages_total",
  "charthouse_message_duration_seconds_bucket",
  "charthouse_metrics_collector_success",
  "charthouse_metrics_collector_duration_seconds",
  "charthouse_syncs_total",
  "charthouse_sync_duration_seconds_bucket",
  "charthouse_version_discovered_to_ready_seconds_bucket",
  "charthouse_circuit_breakers_open",
  "charthouse_index_bytes_total",
  "charthouse_index_not_modified_total",
  "charthouse_full_syncs_running",
  "charthouse_full_syncs_waiting",
  "charthouse_webhook_deliveries_recorded_total",
  "charthouse_webhook_attempts_total",
  "charthouse_webhook_attempt_duration_seconds_bucket",
];

/** Runs Debian's promtool (installed by scripts/ensure_test_peers.sh); rejects with its output unless it exits 0. */
function promtool(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("promtool", args, { timeout: 60_000, encoding: "utf8" }, (err, stdout, stderr) => {
      if (err) reject(new Error(`promtool ${args.join(" ")} failed (${String(err.code)}):\n${stdout}${stderr}`));
      else resolve(stdout + stderr);
    });
  });
}

/** The charthouse_* metric names a PromQL expression reads. */
function metricsIn(expr: string): string[] {
  return [...expr.matchAll(/\b(charthouse_[a-z_]+)\b/g)].map((m) => m[1] ?? "");
}

const ruleSchema = z.object({
  alert: z.string(),
  expr: z.string(),
  for: z.string().optional(),
  labels: z.record(z.string(), z.string()),
  annotations: z.object({ summary: z.string(), description: z.string() }),
});
const prometheusRuleSchema = z.object({
  spec: z.object({ groups: z.array(z.object({ name: z.string(), rules: z.array(ruleSchema) })) }),
});

describe("deploy/charthouse Helm chart", () => {
  it("passes helm lint --strict with its defaults, with each optional part on, and with all of them", { timeout: 120_000 }, async () => {
    for (const values of [[], ...toggles.map((toggle) => [toggle]), toggles]) {
      const output = await runHelm(["lint", "--strict", chart, ...values.flatMap((value) => ["--set", value])]);
      expect(output, values.join(" ")).toContain("0 chart(s) failed");
    }
  });

  it("renders nothing optional by default, and each toggle adds its own kinds", { timeout: 120_000 }, async () => {
    const kindsOf = async (values: readonly string[]): Promise<Set<string>> => new Set((await renderChart(values)).map((m) => m.kind));
    const base = await kindsOf([]);
    expect([...base].sort()).toEqual(["Deployment", "Secret", "Service"]);
    const added: Record<string, string[]> = {};
    for (const toggle of toggles) added[toggle] = [...(await kindsOf([toggle]))].filter((kind) => !base.has(kind)).sort();
    expect(added).toEqual({
      "autoscaling.enabled=true": ["HorizontalPodAutoscaler", "ScaledObject"],
      "podDisruptionBudget.enabled=true": ["PodDisruptionBudget"],
      "serviceMonitor.enabled=true": ["ServiceMonitor"],
      "prometheusRule.enabled=true": ["PrometheusRule"],
      "grafanaDashboard.enabled=true": ["ConfigMap"],
      "ingress.enabled=true": ["Ingress"],
      "networkPolicy.enabled=true": ["NetworkPolicy"],
    });
  });

  it("validates values against values.schema.json: wrong types and unknown keys are refused by name", { timeout: 60_000 }, async () => {
    await expect(runHelm(["template", "ch", chart, "--set", "podDisruptionBudget.enabled=maybe"])).rejects.toThrow(
      /podDisruptionBudget\/enabled.*want boolean/,
    );
    await expect(runHelm(["template", "ch", chart, "--set", "services.index-fetcher.replica=3"])).rejects.toThrow(
      /services\/index-fetcher.*'replica' not allowed/,
    );
    await expect(runHelm(["template", "ch", chart, "--set", "prometheusRule.registryFailingFor=soon"])).rejects.toThrow(
      /prometheusRule\/registryFailingFor/,
    );
    await expect(runHelm(["template", "ch", chart, "--set", "replicaz=3"])).rejects.toThrow(/'replicaz' not allowed/);
  });

  it("with podDisruptionBudget.enabled, gives each service a budget over its own pods; a service's own setting wins", { timeout: 60_000 }, async () => {
    const manifests = await renderChart(["podDisruptionBudget.enabled=true", "services.scheduler.podDisruptionBudget.minAvailable=1"]);
    const pdbSchema = z.object({
      metadata: z.object({ labels: z.record(z.string(), z.string()) }),
      spec: z.object({
        selector: z.object({ matchLabels: z.record(z.string(), z.string()) }),
        maxUnavailable: z.union([z.number(), z.string()]).optional(),
        minAvailable: z.union([z.number(), z.string()]).optional(),
      }),
    });
    const budgets = manifests.filter((m) => m.kind === "PodDisruptionBudget").map((m) => pdbSchema.parse(m.raw));
    const byService = Object.fromEntries(budgets.map((b) => [b.metadata.labels["app.kubernetes.io/component"], b.spec]));
    expect(Object.keys(byService).sort()).toEqual(services.map((service) => service.name).sort());
    expect(byService["scheduler"]).toMatchObject({ minAvailable: 1 });
    expect(byService["scheduler"]?.maxUnavailable).toBeUndefined();
    expect(byService["chart-downloader"]).toMatchObject({
      maxUnavailable: 1,
      selector: { matchLabels: { "app.kubernetes.io/component": "chart-downloader", "app.kubernetes.io/instance": "ch" } },
    });
  });

  it("with serviceMonitor.enabled, scrapes /metrics of every service's pods through a headless Service each", { timeout: 60_000 }, async () => {
    const manifests = await renderChart(["serviceMonitor.enabled=true", "serviceMonitor.labels.release=prom"]);
    const monitor = z
      .object({
        metadata: z.object({ labels: z.record(z.string(), z.string()) }),
        spec: z.object({
          selector: z.object({ matchLabels: z.record(z.string(), z.string()) }),
          endpoints: z.array(z.object({ port: z.string(), path: z.string(), interval: z.string() })),
        }),
      })
      .parse(manifests.find((m) => m.kind === "ServiceMonitor")?.raw);
    expect(monitor.metadata.labels["release"]).toBe("prom");
    expect(monitor.spec.endpoints).toEqual([expect.objectContaining({ port: "http", path: "/metrics", interval: "30s" })]);
    const serviceSchema = z.object({
      metadata: z.object({ labels: z.record(z.string(), z.string()) }),
      spec: z.object({ clusterIP: z.string().optional(), selector: z.record(z.string(), z.string()), ports: z.array(z.object({ name: z.string() })) }),
    });
    const selected = manifests
      .filter((m) => m.kind === "Service")
      .map((m) => serviceSchema.parse(m.raw))
      .filter((svc) => Object.entries(monitor.spec.selector.matchLabels).every(([key, value]) => svc.metadata.labels[key] === value));
    // One per service, each in front of that service's pods, with the port the endpoint names.
    expect(selected.map((svc) => svc.spec.selector["app.kubernetes.io/component"]).sort()).toEqual(
      services.map((service) => service.name).sort(),
    );
    for (const svc of selected) {
      expect(svc.spec.clusterIP).toBe("None");
      expect(svc.spec.ports.map((p) => p.name)).toEqual(["http"]);
    }
  });

  it("with prometheusRule.enabled, renders alert rules that pass promtool check rules and fire as meant", { timeout: 60_000 }, async () => {
    const rule = prometheusRuleSchema.parse(
      (await renderChart(["prometheusRule.enabled=true", "prometheusRule.noSuccessfulSyncSeconds=3600"])).find(
        (m) => m.kind === "PrometheusRule",
      )?.raw,
    );
    const rules = rule.spec.groups.flatMap((group) => group.rules);
    expect(rules.map((r) => r.alert).sort()).toEqual([
      "CharthouseConsumerLagGrowing",
      "CharthouseDeadLettersGrowing",
      "CharthouseMetricsUnreadable",
      "CharthouseNoSuccessfulSync",
      "CharthouseRegistryFailing",
      "CharthouseWebhooksFailing",
    ]);
    for (const r of rules) for (const metric of metricsIn(r.expr)) expect(exportedMetrics, `${r.alert} reads ${metric}`).toContain(metric);

    const dir = await makeTempDir("charthouse-rules-");
    try {
      await writeFile(join(dir, "rules.yaml"), stringify({ groups: rule.spec.groups }));
      expect(await promtool(["check", "rules", join(dir, "rules.yaml")])).toContain("SUCCESS: 6 rules found");
      // promtool's own rule unit tests: each alert fires on the series it is meant for, and not before.
      // They compare labels; the annotations (checked as templates above) are left out of the copy they run.
      const withoutAnnotations = rule.spec.groups.map((group) => ({ ...group, rules: group.rules.map(({ annotations: _, ...r }) => r) }));
      await writeFile(join(dir, "alerts.yaml"), stringify({ groups: withoutAnnotations }));
      await writeFile(join(dir, "rules_test.yaml"), stringify(alertTests()));
      expect(await promtool(["test", "rules", join(dir, "rules_test.yaml")])).toContain("SUCCESS");
    } finally {
      await removeTempDir(dir);
    }
  });

  it("with grafanaDashboard.enabled, ships a dashboard whose panels read only metrics Charthouse exports", { timeout: 60_000 }, async () => {
    const configMap = z
      .object({ metadata: z.object({ labels: z.record(z.string(), z.string()) }), data: z.record(z.string(), z.string()) })
      .parse((await renderChart(["grafanaDashboard.enabled=true"])).find((m) => m.kind === "ConfigMap")?.raw);
    expect(configMap.metadata.labels["grafana_dashboard"]).toBe("1");
    const dashboard = z
      .object({
        uid: z.string(),
        panels: z.array(z.object({ title: z.string(), targets: z.array(z.object({ expr: z.string() })).min(1) })),
      })
      .parse(JSON.parse(configMap.data["charthouse.json"] ?? ""));
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(10);
    const used = new Set(dashboard.panels.flatMap((panel) => panel.targets.flatMap((target) => metricsIn(target.expr))));
    for (const metric of used) expect(exportedMetrics, metric).toContain(metric);
    // Every domain metric and the workers' message metrics have a panel.
    for (const metric of exportedMetrics) expect([...used], metric).toContain(metric);
    // The file in the chart is the dashboard, unchanged.
    expect(JSON.parse(configMap.data["charthouse.json"] ?? "")).toEqual(JSON.parse(await readFile(join(chart, "dashboards/charthouse.json"), "utf8")));
  });

  it("with ingress.enabled, routes its hosts to registry-api's Service", { timeout: 60_000 }, async () => {
    const manifests = await renderChart(["ingress.enabled=true", "ingress.className=nginx", "ingress.hosts[0].host=ch.example.org", "ingress.hosts[0].paths[0].path=/"]);
    const ingress = z
      .object({
        spec: z.object({
          ingressClassName: z.string(),
          rules: z.array(
            z.object({
              host: z.string(),
              http: z.object({ paths: z.array(z.object({ path: z.string(), backend: z.object({ service: z.object({ name: z.string(), port: z.object({ name: z.string() }) }) }) })) }),
            }),
          ),
        }),
      })
      .parse(manifests.find((m) => m.kind === "Ingress")?.raw);
    const apiService = manifests.find((m) => m.kind === "Service" && m.metadata.labels?.["app.kubernetes.io/component"] === "registry-api");
    expect(ingress.spec.ingressClassName).toBe("nginx");
    expect(ingress.spec.rules).toEqual([
      { host: "ch.example.org", http: { paths: [expect.objectContaining({ path: "/", backend: { service: { name: apiService?.metadata.name, port: { name: "http" } } } })] } },
    ]);
    await expect(runHelm(["template", "ch", chart, "--set", "ingress.enabled=true", "--set", "services.registry-api.enabled=false"])).rejects.toThrow(
      /ingress.enabled needs services.registry-api/,
    );
  });

  it("with networkPolicy.enabled, opens registry-api to apiFrom and the workers only to metricsFrom", { timeout: 60_000 }, async () => {
    const policySchema = z.object({
      metadata: z.object({ labels: z.record(z.string(), z.string()) }),
      spec: z.object({
        podSelector: z.object({ matchLabels: z.record(z.string(), z.string()) }),
        policyTypes: z.array(z.string()),
        ingress: z.array(z.object({ from: z.array(z.unknown()).optional(), ports: z.array(z.object({ port: z.union([z.string(), z.number()]), protocol: z.string() })) })),
      }),
    });
    const policiesOf = async (values: readonly string[]): Promise<Record<string, z.infer<typeof policySchema>["spec"]>> =>
      Object.fromEntries(
        (await renderChart(["networkPolicy.enabled=true", ...values]))
          .filter((m) => m.kind === "NetworkPolicy")
          .map((m) => policySchema.parse(m.raw))
          .map((p) => [p.spec.podSelector.matchLabels["app.kubernetes.io/component"], p.spec]),
      );
    const closed = await policiesOf([]);
    expect(Object.keys(closed).sort()).toEqual(services.map((service) => service.name).sort());
    expect(closed["registry-api"]?.ingress).toEqual([{ ports: [{ port: "http", protocol: "TCP" }] }]);
    expect(closed["index-fetcher"]?.ingress).toEqual([]);
    for (const policy of Object.values(closed)) expect(policy.policyTypes).toEqual(["Ingress"]);

    const monitoring = { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } };
    const open = await policiesOf([
      "networkPolicy.metricsFrom[0].namespaceSelector.matchLabels.kubernetes\\.io/metadata\\.name=monitoring",
      "networkPolicy.apiFrom[0].podSelector.matchLabels.role=frontend",
    ]);
    expect(open["chart-downloader"]?.ingress).toEqual([{ ports: [{ port: "http", protocol: "TCP" }], from: [monitoring] }]);
    expect(open["registry-api"]?.ingress).toEqual([
      { ports: [{ port: "http", protocol: "TCP" }], from: [{ podSelector: { matchLabels: { role: "frontend" } } }] },
      { ports: [{ port: "http", protocol: "TCP" }], from: [monitoring] },
    ]);
  });

  it("renders one Deployment per service, each running its own bundle with health probes", { timeout: 60_000 }, async () => {
    const deployments = (await renderChart())
      .filter((manifest) => manifest.kind === "Deployment")
      .map((manifest) => deploymentSchema.parse(manifest.raw));

    const byService = new Map(deployments.map((d) => [d.metadata.labels["app.kubernetes.io/component"], d]));
    expect([...byService.keys()].sort()).toEqual(services.map((service) => service.name).sort());
    expect(deployments).toHaveLength(services.length);

    for (const service of services) {
      const deployment = byService.get(service.name);
      const container = deployment?.spec.template.spec.containers[0];
      expect(container?.args, service.name).toEqual([`apps/${service.name}/dist/main.js`]);
      expect(container?.env.map((e) => e.name), service.name).toEqual(
        expect.arrayContaining(["PORT", "NATS_URL", "DATABASE_URL"]),
      );
      expect(container?.livenessProbe.httpGet, service.name).toEqual({ path: "/healthz", port: "http" });
      expect(container?.readinessProbe.httpGet, service.name).toEqual({ path: "/readyz", port: "http" });
      expect(container?.ports.map((p) => p.name), service.name).toEqual(["http"]);
      expect(deployment?.spec.template.metadata.annotations, service.name).toMatchObject({
        "prometheus.io/scrape": "true",
        "prometheus.io/path": "/metrics",
      });
    }
  });

  it("with autoscaling.enabled, scales the workers on lag of real JetStream streams and registry-api on CPU", { timeout: 60_000 }, async () => {
    const manifests = await renderChart(["autoscaling.enabled=true"]);
    const deploymentNames = new Map(
      manifests
        .filter((m) => m.kind === "Deployment")
        .map((m) => [m.metadata.name, m.metadata.labels?.["app.kubernetes.io/component"]]),
    );
    const streamNames: string[] = Object.values(streams).map((stream) => stream.name);

    const scaledObjects = manifests.filter((m) => m.kind === "ScaledObject").map((m) => scaledObjectSchema.parse(m.raw));
    const lagScaled = scaledObjects.map((scaled) => {
      const service = deploymentNames.get(scaled.spec.scaleTargetRef.name);
      const [trigger] = scaled.spec.triggers;
      expect(trigger?.type).toBe("nats-jetstream");
      expect(streamNames).toContain(trigger?.metadata.stream);
      // Each worker's durable consumer is named after its service.
      expect(trigger?.metadata.consumer).toBe(service);
      return [service, trigger?.metadata.stream];
    });
    expect(Object.fromEntries(lagScaled)).toMatchObject({
      "index-fetcher": streams.SYNC.name,
      "oci-fetcher": streams.SYNC.name,
      "chart-downloader": streams.DOWNLOADS.name,
      "metadata-extractor": streams.EXTRACTIONS.name,
      notifier: streams.EVENTS.name,
    });

    const cpuScaled = manifests
      .filter((m) => m.kind === "HorizontalPodAutoscaler")
      .map((m) => m.metadata.labels?.["app.kubernetes.io/component"]);
    expect(cpuScaled).toEqual(["registry-api"]);

    // Autoscaled Deployments leave their replica count to the autoscaler.
    for (const m of manifests.filter((m) => m.kind === "Deployment")) {
      const service = m.metadata.labels?.["app.kubernetes.io/component"] ?? "";
      const autoscaled = service in Object.fromEntries(lagScaled) || cpuScaled.includes(service);
      expect(deploymentSchema.parse(m.raw).spec.replicas === undefined, service).toBe(autoscaled);
    }
  });
});

/**
 * promtool rule unit tests (promtool test rules): the series each alert is written for and when it
 * must fire. Rendered with prometheusRule.noSuccessfulSyncSeconds=3600 and the other defaults.
 */
function alertTests(): unknown {
  const api = 'job="registry-api", instance="api-1"';
  return {
    rule_files: ["alerts.yaml"],
    evaluation_interval: "1m",
    tests: [
      {
        interval: "1m",
        input_series: [
          // A registry fails from minute 10 on; registryFailingFor is 30m.
          { series: `charthouse_registries{state="error", ${api}}`, values: "0x9 1x60" },
          // 3 dead letters arrive at minute 20.
          { series: `charthouse_dead_letters{subject="chart.download.requested.v1", ${api}}`, values: "0x19 3x40" },
          // A subject with no dead letters is absent until its first one, at minute 20 too.
          { series: `charthouse_dead_letters{subject="sync.requested.http.v1", ${api}}`, values: "_x19 2x40" },
          // The downloader's lag grows by 20 a minute from minute 0 (above 100 from minute 6); another consumer stays flat.
          { series: `charthouse_jetstream_consumer_pending{stream="CHARTHOUSE_DOWNLOADS", consumer="chart-downloader", ${api}}`, values: "0+20x60" },
          { series: `charthouse_jetstream_consumer_pending{stream="CHARTHOUSE_SYNC", consumer="index-fetcher", ${api}}`, values: "500x60" },
          // The oldest successful sync happened at t=0: it is 3600 s old at minute 60.
          { series: `charthouse_oldest_successful_sync_timestamp_seconds{${api}}`, values: "0x80" },
          { series: `charthouse_metrics_collector_success{collector="registries", ${api}}`, values: "1x80" },
          // A notifier copy gives up on 2 deliveries at minute 30.
          { series: 'charthouse_webhook_attempts_total{outcome="failed", job="notifier", instance="notifier-1"}', values: "0x29 2x50" },
        ],
        alert_rule_test: [
          { eval_time: "35m", alertname: "CharthouseRegistryFailing", exp_alerts: [] },
          { eval_time: "45m", alertname: "CharthouseRegistryFailing", exp_alerts: [{ exp_labels: { severity: "warning" } }] },
          { eval_time: "15m", alertname: "CharthouseDeadLettersGrowing", exp_alerts: [] },
          {
            eval_time: "25m",
            alertname: "CharthouseDeadLettersGrowing",
            exp_alerts: [
              { exp_labels: { severity: "warning", subject: "chart.download.requested.v1" } },
              { exp_labels: { severity: "warning", subject: "sync.requested.http.v1" } },
            ],
          },
          // Once the window has passed with no new ones, it stops.
          { eval_time: "55m", alertname: "CharthouseDeadLettersGrowing", exp_alerts: [] },
          { eval_time: "12m", alertname: "CharthouseConsumerLagGrowing", exp_alerts: [] },
          {
            eval_time: "22m",
            alertname: "CharthouseConsumerLagGrowing",
            exp_alerts: [{ exp_labels: { severity: "warning", stream: "CHARTHOUSE_DOWNLOADS", consumer: "chart-downloader" } }],
          },
          { eval_time: "55m", alertname: "CharthouseNoSuccessfulSync", exp_alerts: [] },
          { eval_time: "75m", alertname: "CharthouseNoSuccessfulSync", exp_alerts: [{ exp_labels: { severity: "warning" } }] },
          { eval_time: "75m", alertname: "CharthouseMetricsUnreadable", exp_alerts: [] },
          { eval_time: "25m", alertname: "CharthouseWebhooksFailing", exp_alerts: [] },
          { eval_time: "35m", alertname: "CharthouseWebhooksFailing", exp_alerts: [{ exp_labels: { severity: "warning" } }] },
        ],
      },
    ],
  };
}
