import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApiTestEnv, type ApiTestEnv } from "./api_env_test_support.ts";
import { maxRequestBodyBytes } from "./request_body.ts";

let env: ApiTestEnv;

beforeAll(async () => {
  env = await startApiTestEnv();
});

afterAll(async () => {
  await env?.close();
});

describe("request bodies", () => {
  it("answers a body over the limit with a 413 too_large problem, and one just under it is read", async () => {
    const padding = (bytes: number): string => JSON.stringify({ name: "big", url: "https://charts.example.com", note: "x".repeat(bytes) });
    const tooLarge = await env.call("/api/v1/registries", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: padding(maxRequestBodyBytes + 1),
    });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.headers.get("content-type")).toContain("application/problem+json");
    expect(await tooLarge.json()).toMatchObject({ status: 413, code: "too_large" });

    // Just under the limit the body is parsed and validated: 422 for the unknown field, not 413.
    const underLimit = await env.call("/api/v1/registries", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: padding(maxRequestBodyBytes - 200),
    });
    expect(underLimit.status).not.toBe(413);
  });

  it("refuses a chunked body without Content-Length once it passes the limit", async () => {
    const chunk = new TextEncoder().encode(" ".repeat(64 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > 4 * maxRequestBodyBytes) {
          controller.close();
          return;
        }
        sent += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const response = await env.call("/api/v1/registries", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
      duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ code: "too_large" });
  });
});
