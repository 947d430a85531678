import { describe, expect, it } from "vitest";
import { SseParser, type SseEvent } from "./sse_parser.ts";

function parse(chunks: string[]): { events: SseEvent[]; retries: number[]; parser: SseParser } {
  const events: SseEvent[] = [];
  const retries: number[] = [];
  const parser = new SseParser((e) => events.push(e), (ms) => retries.push(ms));
  for (const chunk of chunks) parser.push(chunk);
  return { events, retries, parser };
}

describe("SseParser", () => {
  it("dispatches named events with their JSON data and id", () => {
    const { events, parser } = parse([
      'id: 7\nevent: registry.sync.started\ndata: {"registry_id":"r1"}\n\n',
    ]);
    expect(events).toEqual([{ type: "registry.sync.started", data: '{"registry_id":"r1"}', lastEventId: "7" }]);
    expect(parser.lastEventId).toBe("7");
  });

  it("joins events split anywhere across chunks, including between CR and LF", () => {
    const { events } = parse(["event: chart.version.re", "ady\r", "\ndata: {\"a\":", "1}\r\n\r", "\n"]);
    expect(events).toEqual([{ type: "chart.version.ready", data: '{"a":1}', lastEventId: "" }]);
  });

  it("joins multi-line data with newlines and ignores comments and unknown fields", () => {
    const { events } = parse([": keep-alive\n\ndata: one\ndata: two\nfoo: bar\n\n"]);
    expect(events).toEqual([{ type: "message", data: "one\ntwo", lastEventId: "" }]);
  });

  it("keeps the last id for later events and reports retry", () => {
    const { events, retries } = parse(["id: 3\ndata: a\n\nretry: 2500\ndata: b\n\nretry: soon\n\n"]);
    expect(events.map((e) => e.lastEventId)).toEqual(["3", "3"]);
    expect(retries).toEqual([2500]);
  });

  it("drops an event that never got its blank line when reset", () => {
    const { events, parser } = parse(["data: partial\n"]);
    parser.reset();
    parser.push("data: whole\n\n");
    expect(events.map((e) => e.data)).toEqual(["whole"]);
  });
});
