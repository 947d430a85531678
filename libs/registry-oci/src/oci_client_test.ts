import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeRegistryAgents } from "@charthouse/outbound-http";
import { makeChart, makeTempDir, pushChart, rejectionOf, removeTempDir, startDockerRegistry, type DockerRegistry } from "@charthouse/testing";
import { parseOciReference } from "./oci_reference.ts";
import { recordedLogins, sealedCredential, testBreakers, testClient } from "./recorded_logins_test_support.ts";
import { tagToVersion } from "./tag_version.ts";




afterAll(async () => {
  testBreakers.close();
  await closeRegistryAgents();
});

describe("OCI session against docker-registry, anonymous", () => {
  let registry: DockerRegistry;
  let dir: string;
  const pushed = new Map<string, { digest: string; archive: string }>();

  beforeAll(async () => {
    registry = await startDockerRegistry();
    dir = await makeTempDir("oci-client");
    const charts = [
      { name: "alpha", version: "0.1.0", ns: "ns" },
      { name: "alpha", version: "0.2.0", ns: "ns" },
      { name: "alpha", version: "1.0.0+build", ns: "ns" },
      { name: "beta", version: "2.0.0", ns: "ns" },
      { name: "gamma", version: "0.0.1", ns: "other" },
    ];
    for (const chart of charts) {
      const archive = await makeChart(dir, { name: chart.name, version: chart.version, readme: `# ${chart.name}\n` });
      const { digest } = await pushChart(archive, `${registry.host}/${chart.ns}`);
      pushed.set(`${chart.ns}/${chart.name}:${chart.version}`, { digest, archive });
    }
  }, 120_000);

  afterAll(async () => {
    await registry.stop();
    await removeTempDir(dir);
  });

  it("lists a repository's tags sorted, +build as helm's _ tag, and null for a missing repository", async () => {
    const session = testClient().session(parseOciReference(`oci://${registry.host}/ns`), null);
    const tags = await session.listTags("ns/alpha");
    expect(tags).toEqual(["0.1.0", "0.2.0", "1.0.0_build"]);
    expect(tags?.map(tagToVersion)).toEqual(["0.1.0", "0.2.0", "1.0.0+build"]);
    expect(await session.listTags("ns/missing")).toBeNull();
  });

  it("reads a chart's manifest, config and layer, each verified", async () => {
    const session = testClient().session(parseOciReference(`oci://${registry.host}/ns/alpha`), null);
    const published = pushed.get("ns/alpha:1.0.0+build");
    const manifest = await session.manifest("ns/alpha", "1.0.0_build");
    expect(manifest.digest).toBe(published?.digest);
    expect(manifest.isChart).toBe(true);
    expect(manifest.configMediaType).toBe("application/vnd.cncf.helm.config.v1+json");
    expect(manifest.provenanceLayer).toBeNull();
    expect(await session.manifestDigest("ns/alpha", "1.0.0_build")).toBe(published?.digest);

    const config = await session.chartConfig("ns/alpha", manifest.configDigest);
    expect(config).toMatchObject({ name: "alpha", version: "1.0.0+build", apiVersion: "v2" });

    const archive = await readFile(published?.archive ?? "");
    const layer = manifest.chartLayer;
    expect(layer).toEqual({ digest: `sha256:${createHash("sha256").update(archive).digest("hex")}`, size: archive.byteLength });
    const blob = await session.openBlob("ns/alpha", layer?.digest ?? "", { maxBytes: 1024 * 1024, limitSetting: "CHARTHOUSE_MAX_ARCHIVE_BYTES" });
    const chunks: Uint8Array[] = [];
    for await (const chunk of blob.body) chunks.push(chunk);
    expect(Buffer.concat(chunks).equals(archive)).toBe(true);
  });

  it("caps a blob at maxBytes with the setting named", async () => {
    const session = testClient().session(parseOciReference(`oci://${registry.host}/ns`), null);
    const manifest = await session.manifest("ns/beta", "2.0.0");
    const err = await rejectionOf(
      session.openBlob("ns/beta", manifest.chartLayer?.digest ?? "", { maxBytes: 100, limitSetting: "CHARTHOUSE_MAX_ARCHIVE_BYTES" }),
    );
    expect(err.code).toBe("too_large");
    expect(err.message).toContain("CHARTHOUSE_MAX_ARCHIVE_BYTES");
  });

  it("tells a missing manifest (manifest_unknown) from a listed tag that vanished (tag_not_found)", async () => {
    const session = testClient().session(parseOciReference(`oci://${registry.host}/ns`), null);
    const unknown = await rejectionOf(session.manifest("ns/alpha", "9.9.9"));
    expect(unknown.code).toBe("manifest_unknown");
    expect(unknown.solution).toBe("Check the repository path");
    const listed = await rejectionOf(session.manifest("ns/alpha", "9.9.9", { listed: true }));
    expect(listed.code).toBe("tag_not_found");
    expect(await session.manifestDigest("ns/alpha", "9.9.9")).toBeNull();
  });

  it("discovers the charts of a namespace, or of the whole registry, via _catalog", async () => {
    const session = testClient().session(parseOciReference(`oci://${registry.host}/ns`), null);
    expect(await session.listRepositories("ns")).toEqual({ repositories: ["ns/alpha", "ns/beta"], via: "catalog" });
    expect(await session.listRepositories("")).toEqual({ repositories: ["ns/alpha", "ns/beta", "other/gamma"], via: "catalog" });
    expect((await session.listRepositories("nothing")).repositories).toEqual([]);
  });

  it("refuses repository names and tags that could leave the API path", async () => {
    const session = testClient().session(parseOciReference(`oci://${registry.host}/ns`), null);
    expect((await rejectionOf(session.listTags("../v2"))).code).toBe("invalid_reference");
    expect((await rejectionOf(session.manifest("ns/alpha", "../x"))).code).toBe("invalid_reference");
  });
});

describe("OCI session against docker-registry with htpasswd (Basic)", () => {
  let registry: DockerRegistry;
  let dir: string;
  const user = { username: "pusher", password: "s3cret-pw" };

  beforeAll(async () => {
    registry = await startDockerRegistry({ htpasswd: user });
    dir = await makeTempDir("oci-basic");
    const archive = await makeChart(dir, { name: "delta", version: "1.2.3" });
    await pushChart(archive, `${registry.host}/team`, { login: user });
  }, 120_000);

  afterAll(async () => {
    await registry.stop();
    await removeTempDir(dir);
  });

  it("without a credential fails with unauthorized", async () => {
    const session = testClient().session(parseOciReference(`oci://${registry.host}/team/delta`), null);
    const err = await rejectionOf(session.listTags("team/delta"));
    expect(err.code).toBe("unauthorized");
    expect(err.solution).toBe("Add a registry credential");
  });

  it("with the right login reads tags, manifests and the catalog", async () => {
    const logins = recordedLogins({ good: { type: "basic", ...user, expiresAt: null } });
    const session = testClient(logins).session(parseOciReference(`oci://${registry.host}/team`), sealedCredential("good"));
    expect(await session.listTags("team/delta")).toEqual(["1.2.3"]);
    expect((await session.manifest("team/delta", "1.2.3")).isChart).toBe(true);
    expect(await session.listRepositories("team")).toEqual({ repositories: ["team/delta"], via: "catalog" });
    expect(logins.forgotten).toEqual([]);
  });

  it("with a wrong password fails with credential_rejected after signing in once more, and never shows the password", async () => {
    const logins = recordedLogins({ bad: { type: "basic", username: "pusher", password: "wrong-password-123", expiresAt: null } });
    const session = testClient(logins).session(parseOciReference(`oci://${registry.host}/team`), sealedCredential("bad"));
    const err = await rejectionOf(session.listTags("team/delta"));
    expect(err.code).toBe("credential_rejected");
    expect(err.solution).toBe("Refresh or recreate the credential");
    expect(logins.forgotten).toEqual(["bad"]);
    expect(`${err.message} ${String(err.cause)}`).not.toContain("wrong-password-123");
  });
});
