import { randomUUID } from "node:crypto";
import { chartVersionDiscovered, chartVersionRemoved, type ChartVersionsEvent } from "@charthouse/contracts";
import { describe, expect, it } from "vitest";
import { RecordingPublisher } from "@charthouse/testing";
import { VersionAnnouncer } from "./version_announcer.ts";

const scope = { organizationId: randomUUID(), registryId: randomUUID() };
const version = (chart: string, v: string) => ({ id: randomUUID(), chart, version: v });

describe("VersionAnnouncer", () => {
  it("announces each version once per event kind, a chart per message, and counts the messages", async () => {
    const publisher = new RecordingPublisher();
    const announcer = new VersionAnnouncer(publisher, scope);
    const web1 = version("web", "1.0.0");
    const db1 = version("db", "0.1.0");
    announcer.add(chartVersionDiscovered, [web1, db1]);
    // A leftover of an interrupted attempt that this attempt already announced is not announced twice.
    announcer.add(chartVersionDiscovered, [web1]);
    announcer.add(chartVersionRemoved, [web1]);
    announcer.add(chartVersionDiscovered, []);
    expect(await announcer.drain()).toBe(3);
    expect(publisher.published.map((m) => [m.subject, (m.payload as ChartVersionsEvent).versions.map((v) => v.version)])).toEqual([
      ["chart.version.discovered.v1", ["1.0.0"]],
      ["chart.version.discovered.v1", ["0.1.0"]],
      ["chart.version.removed.v1", ["1.0.0"]],
    ]);
  });

  it("rethrows a failed publish from drain(), not as an unhandled rejection", async () => {
    const publisher = new RecordingPublisher();
    publisher.failing = true;
    const announcer = new VersionAnnouncer(publisher, scope);
    announcer.add(chartVersionDiscovered, [version("web", "1.0.0")]);
    await new Promise((resolve) => setTimeout(resolve, 10));
    await expect(announcer.drain()).rejects.toThrow(/Cannot publish chart.version.discovered.v1/);
  });
});
