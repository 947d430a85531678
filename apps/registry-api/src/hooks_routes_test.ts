import { createHmac, randomBytes, randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import express from "express";
import { createSecretBox, secretKeyId } from "@charthouse/credentials";
import { githubRegistryPackagePublished } from "@charthouse/testing";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import type { ApiContext } from "./api_context.ts";
import { buildHooksRouter } from "./app.ts";

/** Serves the hooks router of `context` on a free port for one callback. */
async function withHooks(context: ApiContext, use: (base: string) => Promise<void>): Promise<void> {
  const app = express();
  app.use("/hooks", buildHooksRouter(context));
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  try {
    await use(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`);
  } finally {
    server.close();
  }
}

describe("buildHooksRouter()", () => {
  it("forgets a GitHub delivery it could not act on, so GitHub's retry of it is taken, not refused as a replay", async () => {
    const key = new Uint8Array(randomBytes(32));
    const box = createSecretBox({ current: { id: secretKeyId(key), key } });
    const id = randomUUID();
    const secret = "s".repeat(64);
    const sealed = box.seal({ secret }, id);
    const remembered = new Set<string>();
    let syncFails = true;
    const context = {
      db: {
        receivers: {
          target: () =>
            Promise.resolve({ id, kind: "github", organizationId: randomUUID(), registryId: randomUUID(), registryKind: "oci_registry", registryUrl: "oci://ghcr.io/octo", proof: { kind: "sealed", ...sealed } }),
          rememberDelivery: (_r: string, d: string) => Promise.resolve(remembered.has(d) ? false : (remembered.add(d), true)),
          forgetDelivery: (_r: string, d: string) => Promise.resolve(void remembered.delete(d)),
        },
        syncRuns: {
          request: () =>
            syncFails
              ? Promise.reject(new Error("NATS is away"))
              : Promise.resolve({ registryId: randomUUID(), kind: "oci_registry", syncRunId: randomUUID(), trigger: "push", requestedAt: new Date().toISOString(), reused: false }),
        },
      },
      publisher: { publish: () => Promise.resolve() },
      log: pino({ level: "silent" }),
      secretBox: box,
    } as unknown as ApiContext;
    const body = JSON.stringify(githubRegistryPackagePublished("octo", "web", "1.0.0"));
    const headers = {
      "content-type": "application/json",
      "x-github-event": "registry_package",
      "x-github-delivery": "delivery-1",
      "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`,
    };
    await withHooks(context, async (base) => {
      expect((await fetch(`${base}/${id}`, { method: "POST", headers, body })).status).toBe(500);
      expect(remembered.has("delivery-1")).toBe(false);
      syncFails = false;
      expect((await fetch(`${base}/${id}`, { method: "POST", headers, body })).status).toBe(202);
      expect((await fetch(`${base}/${id}`, { method: "POST", headers, body })).status).toBe(409);
    });
  });

  it("logs a failed Docker Hub event without its path, which holds the secret", async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const context = {
      db: { receivers: { target: () => Promise.reject(new Error("the database went away")) } },
      log: pino({ level: "info" }, sink),
      secretBox: null,
    } as unknown as ApiContext;
    const secret = "d0ckerhub5ecret".repeat(4);
    await withHooks(context, async (base) => {
      const res = await fetch(`${base}/${randomUUID()}/${secret}`, { method: "POST", body: "{}" });
      expect(res.status).toBe(500);
      expect(await res.text()).not.toContain(secret);
      expect(lines.join("")).toContain("Request failed");
      expect(lines.join("")).not.toContain(secret);
    });
  });
});
