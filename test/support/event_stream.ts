import { expect } from "vitest";
import type { CharthouseUnderTest } from "./running_charthouse.ts";

/** One Server-Sent Event as GET /api/v1/events sent it. */
export interface StreamedEvent {
  id: string | undefined;
  event: string;
  data: Record<string, unknown>;
}

/**
 * Reads GET /events as the web UI does (fetch() with the token in a header, never in the URL) and
 * pushes every event onto `received` as it arrives, until `signal` aborts.
 */
export async function listenToEvents(charthouse: CharthouseUnderTest, received: StreamedEvent[], signal: AbortSignal): Promise<void> {
  const response = await fetch(`${charthouse.apiUrl}/api/v1/events`, {
    headers: { authorization: `Bearer ${charthouse.token}` },
    signal,
  });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  void (async () => {
    let buffer = "";
    try {
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
        buffer += chunk.value;
        for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
          const lines = buffer.slice(0, end).split("\n");
          buffer = buffer.slice(end + 2);
          const field = (name: string): string | undefined => lines.find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2);
          const data = field("data");
          if (data !== undefined) received.push({ id: field("id"), event: field("event") ?? "message", data: JSON.parse(data) as Record<string, unknown> });
        }
      }
    } catch {
      // Aborted at the end of the file.
    }
  })();
}
