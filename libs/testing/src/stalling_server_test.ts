import { describe, expect, it } from "vitest";
import { startStallingServer } from "./stalling_server.ts";

describe("startStallingServer()", () => {
  it("accepts a request and never answers it", async () => {
    const server = await startStallingServer();
    try {
      const started = Date.now();
      await expect(fetch(`${server.url}/index.yaml`, { signal: AbortSignal.timeout(300) })).rejects.toThrow();
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      expect(server.connections()).toBe(1);
    } finally {
      await server.stop();
    }
  });

  it("in headers mode answers 200 and then stalls the body", async () => {
    const server = await startStallingServer({ mode: "headers" });
    try {
      const response = await fetch(`${server.url}/chart.tgz`, { signal: AbortSignal.timeout(500) });
      expect(response.status).toBe(200);
      await expect(response.arrayBuffer()).rejects.toThrow();
    } finally {
      await server.stop();
    }
  });
});
