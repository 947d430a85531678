import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { freePort } from "./free_port.ts";

describe("freePort()", () => {
  it("returns a port that can be bound on 127.0.0.1", async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen({ host: "127.0.0.1", port }, resolve);
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});

describe("freePort() called many times", () => {
  it("never hands out the same port twice, so the services of one stack never collide", async () => {
    const ports: number[] = [];
    for (let i = 0; i < 200; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(ports.length);
  });
});
