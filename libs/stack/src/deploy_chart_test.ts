import { join } from "node:path";
import { streams } from "@charthouse/contracts";
import { runHelm } from "@charthouse/testing";
import { parseAllDocuments } from "yaml";
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

describe("deploy/charthouse Helm chart", () => {
  it("passes helm lint --strict, with and without autoscaling", { timeout: 60_000 }, async () => {
    expect(await runHelm(["lint", "--strict", chart])).toContain("0 chart(s) failed");
    expect(await runHelm(["lint", "--strict", chart, "--set", "autoscaling.enabled=true"])).toContain("0 chart(s) failed");
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
