import { InputError } from "@charthouse/errors";
import {
  acrChartPush,
  acrPush,
  cloudEventImageUpdated,
  distributionBlobPush,
  distributionManifestPull,
  distributionManifestPush,
  dockerHubPush,
  githubRegistryPackagePublished,
  harborArtifactPush,
} from "@charthouse/testing";
import { describe, expect, it } from "vitest";
import { interpretPushEvent, type PushScope } from "./push_event.ts";

const namespace: PushScope = { kind: "oci_registry", path: "ns" };
const noHeaders = {};

describe("interpretPushEvent()", () => {
  it("syncs the one repository a docker-registry manifest push names", () => {
    expect(interpretPushEvent("distribution", { body: distributionManifestPush("ns/web", "1.2.0"), headers: noHeaders }, namespace)).toEqual({
      action: "sync",
      repository: "ns/web",
      tags: ["1.2.0"],
    });
  });

  it("ignores blob pushes and pulls, saying which", () => {
    const blob = interpretPushEvent("distribution", { body: distributionBlobPush("ns/web"), headers: noHeaders }, namespace);
    expect(blob).toEqual({ action: "ignore", reason: "a blob push (application/octet-stream)" });
    const pull = interpretPushEvent("distribution", { body: distributionManifestPull("ns/web", "1.0.0"), headers: noHeaders }, namespace);
    expect(pull).toEqual({ action: "ignore", reason: "a pull" });
  });

  it("ignores a push to a repository outside the registry's path, and one that only shares its prefix", () => {
    const other = interpretPushEvent("distribution", { body: distributionManifestPush("other/web", "1.0.0"), headers: noHeaders }, namespace);
    expect(other).toEqual({ action: "ignore", reason: 'the event is for repository other/web, not in "ns"' });
    const prefix = interpretPushEvent("distribution", { body: distributionManifestPush("nsx/web", "1.0.0"), headers: noHeaders }, namespace);
    expect(prefix.action).toBe("ignore");
  });

  it("takes a registry URL that is the repository itself, and a whole-host registry", () => {
    const body = distributionManifestPush("ns/web", "1.0.0");
    expect(interpretPushEvent("distribution", { body, headers: noHeaders }, { kind: "oci_registry", path: "ns/web" }).action).toBe("sync");
    expect(interpretPushEvent("distribution", { body, headers: noHeaders }, { kind: "oci_registry", path: "ns/db" }).action).toBe("ignore");
    expect(interpretPushEvent("distribution", { body, headers: noHeaders }, { kind: "oci_registry", path: "" })).toMatchObject({ repository: "ns/web" });
  });

  it("syncs the whole registry when one envelope names two repositories", () => {
    const a = distributionManifestPush("ns/web", "1.0.0") as { events: unknown[] };
    const b = distributionManifestPush("ns/db", "2.0.0") as { events: unknown[] };
    const decision = interpretPushEvent("distribution", { body: { events: [...a.events, ...b.events] }, headers: noHeaders }, namespace);
    expect(decision).toEqual({ action: "sync", repository: undefined, tags: ["1.0.0", "2.0.0"] });
  });

  it("syncs an HTTP registry's index for any push, whatever repository it names", () => {
    const decision = interpretPushEvent("harbor", { body: harborArtifactPush("library", "nginx", "1.0.0"), headers: noHeaders }, { kind: "http_registry" });
    expect(decision).toEqual({ action: "sync", repository: undefined, tags: ["1.0.0"] });
  });

  it("reads Harbor's PUSH_ARTIFACT and ignores its other events", () => {
    const scope: PushScope = { kind: "oci_registry", path: "library" };
    expect(interpretPushEvent("harbor", { body: harborArtifactPush("library", "nginx", "15.0.1"), headers: noHeaders }, scope)).toEqual({
      action: "sync",
      repository: "library/nginx",
      tags: ["15.0.1"],
    });
    const pull = { ...(harborArtifactPush("library", "nginx", "1") as object), type: "PULL_ARTIFACT" };
    expect(interpretPushEvent("harbor", { body: pull, headers: noHeaders }, scope)).toEqual({ action: "ignore", reason: "a PULL_ARTIFACT event" });
  });

  it("reads Docker Hub's push_data and repo_name", () => {
    const scope: PushScope = { kind: "oci_registry", path: "bitnamicharts" };
    expect(interpretPushEvent("dockerhub", { body: dockerHubPush("bitnamicharts/redis", "19.0.0"), headers: noHeaders }, scope)).toEqual({
      action: "sync",
      repository: "bitnamicharts/redis",
      tags: ["19.0.0"],
    });
  });

  it("reads GitHub's registry_package published event for a container package, and ignores pings and other packages", () => {
    const scope: PushScope = { kind: "oci_registry", path: "octo-org/charts" };
    const body = githubRegistryPackagePublished("Octo-Org", "charts/web", "1.0.0");
    expect(interpretPushEvent("github", { body, headers: { "x-github-event": "registry_package" } }, scope)).toEqual({
      action: "sync",
      repository: "octo-org/charts/web",
      tags: ["1.0.0"],
    });
    expect(interpretPushEvent("github", { body: { zen: "Keep it simple." }, headers: { "x-github-event": "ping" } }, scope)).toEqual({
      action: "ignore",
      reason: "a ping",
    });
    const npm = body as { registry_package: Record<string, unknown> };
    const npmPackage = { ...npm, registry_package: { ...npm.registry_package, package_type: "npm", ecosystem: "npm" } };
    expect(interpretPushEvent("github", { body: npmPackage, headers: { "x-github-event": "registry_package" } }, scope).action).toBe("ignore");
  });

  it("reads GitHub's package event (package_type container) like registry_package", () => {
    const { registry_package: pkg, ...rest } = githubRegistryPackagePublished("octo-org", "charts/web", "2.0.0") as { registry_package: Record<string, unknown> };
    const body = { ...rest, package: { ...pkg, package_type: "container", ecosystem: "CONTAINER" } };
    expect(interpretPushEvent("github", { body, headers: { "x-github-event": "package" } }, { kind: "oci_registry", path: "octo-org" })).toEqual({
      action: "sync",
      repository: "octo-org/charts/web",
      tags: ["2.0.0"],
    });
  });

  it("reads ACR's chart_push and push events, and the same through Event Grid", () => {
    const scope: PushScope = { kind: "oci_registry", path: "helm" };
    expect(interpretPushEvent("acr", { body: acrChartPush("helm/wordpress", "wordpress", "5.4.0"), headers: noHeaders }, scope)).toMatchObject({
      action: "sync",
      repository: "helm/wordpress",
    });
    expect(interpretPushEvent("acr", { body: acrPush("helm/web", "1.0.0"), headers: noHeaders }, scope)).toMatchObject({ repository: "helm/web" });
    const grid = [{ eventType: "Microsoft.ContainerRegistry.ChartPushed", data: acrChartPush("helm/wordpress", "wordpress", "5.4.0") }];
    expect(interpretPushEvent("acr", { body: grid, headers: noHeaders }, scope)).toMatchObject({ action: "sync", repository: "helm/wordpress" });
    const deleted = [{ eventType: "Microsoft.ContainerRegistry.ChartDeleted", data: {} }];
    expect(interpretPushEvent("acr", { body: deleted, headers: noHeaders }, scope)).toEqual({
      action: "ignore",
      reason: "a Microsoft.ContainerRegistry.ChartDeleted event",
    });
  });

  it("reads CloudEvents 1.0 in structured and binary mode", () => {
    const structured = cloudEventImageUpdated("ns/web", "1.0.0");
    expect(interpretPushEvent("cloudevents", { body: structured, headers: noHeaders }, namespace)).toEqual({
      action: "sync",
      repository: "ns/web",
      tags: ["1.0.0"],
    });
    const { data } = structured as { data: unknown };
    const binary = { "ce-specversion": "1.0", "ce-type": "zotregistry.image.updated", "ce-id": "1", "ce-source": "zot" };
    expect(interpretPushEvent("cloudevents", { body: data, headers: binary }, namespace)).toMatchObject({ repository: "ns/web" });
    const deleted = { ...(structured as object), type: "zotregistry.image.deleted" };
    expect(interpretPushEvent("cloudevents", { body: deleted, headers: noHeaders }, namespace)).toEqual({
      action: "ignore",
      reason: "a zotregistry.image.deleted event",
    });
  });

  it("takes a generic event with or without a repository", () => {
    expect(interpretPushEvent("generic", { body: {}, headers: noHeaders }, namespace)).toEqual({ action: "sync", repository: undefined, tags: [] });
    expect(interpretPushEvent("generic", { body: { repository: "ns/db" }, headers: noHeaders }, namespace)).toMatchObject({ repository: "ns/db" });
  });

  it("keeps the reason short however many repositories an envelope names", () => {
    const events = Array.from({ length: 500 }, (_, i) => (distributionManifestPush(`other/chart-${i}`, "1.0.0") as { events: unknown[] }).events[0]);
    const decision = interpretPushEvent("distribution", { body: { events }, headers: noHeaders }, namespace);
    expect(decision.action).toBe("ignore");
    expect(decision.action === "ignore" && decision.reason.length).toBeLessThanOrEqual(300);
  });

  it("refuses a body that is not the sender's shape, naming what is missing", () => {
    expect(() => interpretPushEvent("distribution", { body: { hello: 1 }, headers: noHeaders }, namespace)).toThrow(InputError);
    expect(() => interpretPushEvent("harbor", { body: [], headers: noHeaders }, namespace)).toThrow(/type is missing/);
    expect(() => interpretPushEvent("dockerhub", { body: { push_data: {} }, headers: noHeaders }, namespace)).toThrow(/repo_name/);
    expect(() => interpretPushEvent("cloudevents", { body: { type: "x" }, headers: noHeaders }, namespace)).toThrow(/specversion/);
  });
});
