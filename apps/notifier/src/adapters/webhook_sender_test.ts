import { createServer, type RequestListener } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { closeRegistryAgents } from "@charthouse/outbound-http";
import { createWebhookSender } from "./webhook_sender.ts";

afterAll(closeRegistryAgents);

async function serve(listener: RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const request = (url: string) => ({ url, contentType: "application/cloudevents+json", body: "{}", headers: { "webhook-id": "d-1" } });

describe("createWebhookSender()", () => {
  const send = createWebhookSender({ timeoutMs: 500, blockPrivateNetworks: false });

  it("refuses the cloud metadata address for good, without connecting", async () => {
    expect(await send(request("http://169.254.169.254/latest"))).toMatchObject({ delivered: false, statusCode: null, permanent: true });
  });

  it("keeps only the first bytes of a failing answer, and gives up on a target that does not answer in time", async () => {
    const loud = await serve((_req, res) => {
      res.writeHead(500);
      res.end("x".repeat(1_000_000));
    });
    const answer = await send(request(loud.url));
    expect(answer).toMatchObject({ delivered: false, statusCode: 500, permanent: false });
    expect(answer.error?.length).toBeLessThan(600);
    await loud.close();

    const silent = await serve(() => undefined);
    expect(await send(request(silent.url))).toMatchObject({ delivered: false, statusCode: null, permanent: false });
    await silent.close();
  });

  it("sends the body with its media type and headers, and counts any 2xx as delivered", async () => {
    let seen: { type: string | undefined; id: string | undefined; body: string } | undefined;
    const ok = await serve((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", () => {
        seen = { type: req.headers["content-type"], id: req.headers["webhook-id"] as string | undefined, body };
        res.writeHead(202).end();
      });
    });
    expect(await send(request(ok.url))).toMatchObject({ delivered: true, statusCode: 202 });
    expect(seen).toEqual({ type: "application/cloudevents+json", id: "d-1", body: "{}" });
    await ok.close();
  });
});
