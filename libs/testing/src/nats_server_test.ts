import { connect } from "nats";
import { describe, expect, it } from "vitest";
import { startNatsServer } from "./nats_server.ts";
import { tcpAccepts } from "./tcp_probe.ts";
import { makeTempDir, removeTempDir } from "./temp_dir.ts";

describe("startNatsServer()", () => {
  it("starts a private JetStream server and stops it", async () => {
    const server = await startNatsServer();
    expect(server.url).toBe(`nats://127.0.0.1:${server.port}`);
    const nc = await connect({ servers: server.url });
    try {
      const jsm = await nc.jetstreamManager();
      const info = await jsm.streams.add({ name: "TESTING", subjects: ["testing.>"] });
      expect(info.config.name).toBe("TESTING");
    } finally {
      await nc.close();
    }
    await server.stop();
    expect(await tcpAccepts(server.port)).toBe(false);
  });

  it("restarts on the same port and store folder and keeps the streams", async () => {
    const storeDir = await makeTempDir("nats-test-store");
    try {
      const first = await startNatsServer({ storeDir });
      let nc = await connect({ servers: first.url });
      await (await nc.jetstreamManager()).streams.add({ name: "KEPT", subjects: ["kept.>"] });
      await nc.close();
      await first.stop();

      const second = await startNatsServer({ storeDir, port: first.port });
      try {
        nc = await connect({ servers: second.url });
        const names: string[] = [];
        for await (const stream of (await nc.jetstreamManager()).streams.list()) names.push(stream.config.name);
        expect(names).toEqual(["KEPT"]);
        await nc.close();
      } finally {
        await second.stop();
      }
    } finally {
      await removeTempDir(storeDir);
    }
  });

  it("shutdown() with SIGKILL and start() bring the same server back with its streams and messages", async () => {
    const server = await startNatsServer();
    try {
      let nc = await connect({ servers: server.url });
      await (await nc.jetstreamManager()).streams.add({ name: "CRASHED", subjects: ["crashed.>"] });
      await nc.jetstream().publish("crashed.one", new TextEncoder().encode("kept"));
      await nc.close();
      await server.shutdown();
      expect(await tcpAccepts(server.port)).toBe(false);
      await server.start();
      nc = await connect({ servers: server.url });
      const info = await (await nc.jetstreamManager()).streams.info("CRASHED");
      expect(info.state.messages).toBe(1);
      await nc.close();
    } finally {
      await server.stop();
    }
  });
});
