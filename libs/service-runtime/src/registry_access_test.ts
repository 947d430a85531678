import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { secretBoxFromSettings } from "@charthouse/credentials";
import { startFakeEcrServer, type FakeEcrServer } from "@charthouse/testing";
import { UnavailableError } from "@charthouse/errors";
import { Registry } from "prom-client";
import { registryAccess } from "./registry_access.ts";

const oldKey = randomBytes(32).toString("base64");
const newKey = randomBytes(32).toString("base64");
const secretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";
let ecr: FakeEcrServer;

beforeAll(async () => {
  ecr = await startFakeEcrServer({ keys: [{ accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey }] });
});
afterAll(async () => {
  await ecr?.close();
});

describe("registryAccess()", () => {
  it("signs cloud credentials in through a shared token cache that forget clears, opening secrets under a previous key", async () => {
    const access = registryAccess({
      CHARTHOUSE_BLOCK_PRIVATE_NETWORKS: false,
      CHARTHOUSE_REQUEST_TIMEOUT_MS: 5_000,
      CHARTHOUSE_BODY_TIMEOUT_MS: 5_000,
      CHARTHOUSE_CIRCUIT_RESET_MS: 30_000,
      CHARTHOUSE_SECRET_KEY: newKey,
      CHARTHOUSE_PREVIOUS_SECRET_KEYS: oldKey,
      CHARTHOUSE_AWS_ECR_ENDPOINT: ecr.endpoint,
      CHARTHOUSE_CLOUD_TOKEN_MARGIN_MS: 300_000,
    });
    try {
      const id = randomUUID();
      const sealed = secretBoxFromSettings({ secretKey: oldKey }).seal({ access_key_id: "AKIAIOSFODNN7EXAMPLE", secret_access_key: secretAccessKey }, id);
      const row = { id, kind: "aws", ...sealed };
      const registryUrl = "https://123456789012.dkr.ecr.eu-west-1.amazonaws.com";
      const header = await access.authorize(row, registryUrl);
      expect(Buffer.from((header ?? "").replace(/^Basic /, ""), "base64").toString()).toBe(`AWS:${ecr.exchanges[0]?.password}`);
      await access.logins.login(row, registryUrl);
      expect(ecr.exchanges).toHaveLength(1);
      access.logins.forget(row, registryUrl);
      await access.logins.login(row, registryUrl);
      expect(ecr.exchanges).toHaveLength(2);
      expect(ecr.exchanges[1]?.region).toBe("eu-west-1");
    } finally {
      await access.close();
    }
  });

  it("shows a host's open circuit in charthouse_circuit_breakers_open until it closes", async () => {
    const metrics = new Registry();
    const access = registryAccess(
      { CHARTHOUSE_BLOCK_PRIVATE_NETWORKS: false, CHARTHOUSE_REQUEST_TIMEOUT_MS: 5_000, CHARTHOUSE_BODY_TIMEOUT_MS: 5_000, CHARTHOUSE_CIRCUIT_RESET_MS: 50 },
      { metrics },
    );
    try {
      const origin = "https://charts.example.test:8443";
      for (let i = 0; i < 6; i++) {
        await access.breakers.run(origin, () => Promise.reject(new UnavailableError("Cannot connect", { code: "connection_failed" }))).catch(() => undefined);
      }
      expect(await metrics.metrics()).toContain('charthouse_circuit_breakers_open{host="charts.example.test:8443"} 1');
      await new Promise((resolve) => setTimeout(resolve, 80));
      await access.breakers.run(origin, () => Promise.resolve("ok"));
      expect(await metrics.metrics()).not.toContain('host="charts.example.test:8443"');
    } finally {
      await access.close();
    }
  });
});
