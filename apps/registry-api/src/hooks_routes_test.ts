import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import express from "express";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import type { ApiContext } from "./api_context.ts";
import { buildHooksRouter } from "./app.ts";

describe("buildHooksRouter()", () => {
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
    const app = express();
    app.use("/hooks", buildHooksRouter(context));
    const server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    try {
      const secret = "d0ckerhub5ecret".repeat(4);
      const { port } = server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/hooks/${randomUUID()}/${secret}`, { method: "POST", body: "{}" });
      expect(res.status).toBe(500);
      expect(await res.text()).not.toContain(secret);
      expect(lines.join("")).toContain("Request failed");
      expect(lines.join("")).not.toContain(secret);
    } finally {
      server.close();
    }
  });
});
