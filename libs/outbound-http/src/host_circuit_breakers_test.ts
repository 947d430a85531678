import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { CharthouseError } from "@charthouse/errors";
import { createHostBreakers, HostCircuitOpenError, type HostBreakers } from "./host_circuit_breakers.ts";
import { startLocalTestServer, type LocalTestServer } from "./local_test_server_test_support.ts";
import { closeRegistryAgents } from "./registry_agents.ts";
import { registryRequest } from "./registry_request.ts";
import type { RegistryRequestOptions } from "./registry_stream.ts";

const base: RegistryRequestOptions = { maxBytes: 1024, limitSetting: "CHARTHOUSE_MAX_INDEX_BYTES", blockPrivateNetworks: false };

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0)) await step();
});
afterAll(closeRegistryAgents);

async function statusServer(status: () => number): Promise<LocalTestServer> {
  const server = await startLocalTestServer((_req, res) => {
    res.writeHead(status());
    res.end("status");
  });
  cleanup.push(() => server.close());
  return server;
}

function breakers(options: Parameters<typeof createHostBreakers>[0] = {}): HostBreakers {
  const created = createHostBreakers(options);
  cleanup.push(() => created.close());
  return created;
}

async function attempt(run: Promise<unknown>): Promise<CharthouseError | undefined> {
  try {
    await run;
    return undefined;
  } catch (err) {
    return err as CharthouseError;
  }
}

describe("createHostBreakers()", () => {
  it("opens after repeated 503s and then fails fast without calling the host", async () => {
    const server = await statusServer(() => 503);
    const hosts = breakers();
    for (let i = 0; i < 5; i++) {
      const err = await attempt(hosts.run(server.origin, () => registryRequest(`${server.origin}/index.yaml`, base)));
      expect(err?.code).toBe("registry_error");
    }
    expect(hosts.state(`${server.origin}/anything`)).toBe("open");
    const err = await attempt(hosts.run(server.origin, () => registryRequest(`${server.origin}/index.yaml`, base)));
    expect(err).toBeInstanceOf(HostCircuitOpenError);
    expect(err).toMatchObject({ code: "registry_error", transient: true });
    expect((err as HostCircuitOpenError).retryAfterMs).toBeGreaterThan(25_000);
    expect(err?.message).toContain(server.origin);
    expect(server.received).toHaveLength(5);
  });

  it("does not open for 404s, which say the host is up", async () => {
    const server = await statusServer(() => 404);
    const hosts = breakers();
    for (let i = 0; i < 10; i++) {
      const err = await attempt(hosts.run(server.origin, () => registryRequest(`${server.origin}/missing.tgz`, base)));
      expect(err?.code).toBe("not_found");
    }
    expect(hosts.state(server.origin)).toBe("closed");
    expect(server.received).toHaveLength(10);
  });

  it("keeps one host's failures from pausing another host", async () => {
    const failing = await statusServer(() => 500);
    const healthy = await statusServer(() => 200);
    const hosts = breakers();
    for (let i = 0; i < 6; i++) await attempt(hosts.run(failing.origin, () => registryRequest(failing.origin, base)));
    expect(hosts.state(failing.origin)).toBe("open");
    await expect(hosts.run(healthy.origin, () => registryRequest(healthy.origin, base))).resolves.toMatchObject({ status: 200 });
  });

  it("lets a trial call through after the reset time and closes when it succeeds", async () => {
    let status = 503;
    const server = await statusServer(() => status);
    const hosts = breakers({ resetMs: 1_000 });
    for (let i = 0; i < 5; i++) await attempt(hosts.run(server.origin, () => registryRequest(server.origin, base)));
    expect(hosts.state(server.origin)).toBe("open");
    status = 200;
    const deadline = Date.now() + 5_000;
    while (hosts.state(server.origin) !== "half_open" && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await expect(hosts.run(server.origin, () => registryRequest(server.origin, base))).resolves.toMatchObject({ status: 200 });
    expect(hosts.state(server.origin)).toBe("closed");
  });
});
