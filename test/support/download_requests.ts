import { AckPolicy, connect, DeliverPolicy } from "nats";
import { chartDownloadRequested, type ChartDownloadRequested } from "@charthouse/contracts";

/**
 * Every download request the index-fetcher queued so far, read from the DOWNLOADS stream of a
 * stack that runs no chart-downloader (`only: ["registry-api", "index-fetcher"]`). The messages
 * are read through a consumer of the test's own and never acknowledged, so nothing is removed.
 */
export async function queuedDownloadRequests(natsUrl: string): Promise<ChartDownloadRequested[]> {
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await nc.jetstreamManager();
    const stream = chartDownloadRequested.stream;
    const expected = (await jsm.streams.info(stream)).state.messages;
    const name = `test-peek-${Date.now()}`;
    await jsm.consumers.add(stream, {
      durable_name: name,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: 60_000_000_000,
      max_ack_pending: -1,
    });
    try {
      const consumer = await nc.jetstream().consumers.get(stream, name);
      const requests: ChartDownloadRequested[] = [];
      while (requests.length < expected) {
        const before = requests.length;
        const batch = await consumer.fetch({ max_messages: 2000, expires: 2000 });
        for await (const msg of batch) requests.push(msg.json<ChartDownloadRequested>());
        if (requests.length === before) break;
      }
      return requests;
    } finally {
      await jsm.consumers.delete(stream, name);
    }
  } finally {
    await nc.close();
  }
}
