import { randomUUID } from "node:crypto";
import { chartVersionDiscovered, chartVersionRemoved } from "@charthouse/contracts";
import { Publisher, type JetStreamClient } from "@charthouse/messaging";
import { describe, expect, it } from "vitest";
import { VersionAnnouncer } from "./version_announcer.ts";

/** A JetStream client that records subjects and versions, and fails when told to. */
function fakeJetStream(fail = false): { js: JetStreamClient; published: [string, string[]][] } {
  const published: [string, string[]][] = [];
  const js = {
    publish: (subject: string, data: Uint8Array) => {
      if (fail) return Promise.reject(new Error("no responders"));
      const payload = JSON.parse(new TextDecoder().decode(data)) as { versions: { version: string }[] };
      published.push([subject, payload.versions.map((v) => v.version)]);
      return Promise.resolve({ seq: published.length, duplicate: false, stream: "CHARTHOUSE_EVENTS" });
    },
  };
  return { js: js as unknown as JetStreamClient, published };
}

const scope = { organizationId: randomUUID(), registryId: randomUUID() };
const version = (chart: string, v: string) => ({ id: randomUUID(), chart, version: v });

describe("VersionAnnouncer", () => {
  it("announces each version once per event kind, a chart per message, and counts the messages", async () => {
    const { js, published } = fakeJetStream();
    const announcer = new VersionAnnouncer(new Publisher(js), scope);
    const web1 = version("web", "1.0.0");
    const db1 = version("db", "0.1.0");
    announcer.add(chartVersionDiscovered, [web1, db1]);
    // A leftover of an interrupted attempt that this attempt already announced is not announced twice.
    announcer.add(chartVersionDiscovered, [web1]);
    announcer.add(chartVersionRemoved, [web1]);
    announcer.add(chartVersionDiscovered, []);
    expect(await announcer.drain()).toBe(3);
    expect(published).toEqual([
      ["chart.version.discovered.v1", ["1.0.0"]],
      ["chart.version.discovered.v1", ["0.1.0"]],
      ["chart.version.removed.v1", ["1.0.0"]],
    ]);
  });

  it("rethrows a failed publish from drain(), not as an unhandled rejection", async () => {
    const { js } = fakeJetStream(true);
    const announcer = new VersionAnnouncer(new Publisher(js), scope);
    announcer.add(chartVersionDiscovered, [version("web", "1.0.0")]);
    await new Promise((resolve) => setTimeout(resolve, 10));
    await expect(announcer.drain()).rejects.toThrow(/Cannot publish chart.version.discovered.v1/);
  });
});
