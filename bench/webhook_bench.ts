/**
 * Watch rules at scale: 1,000 subscriptions, then one sync that adds 500 versions of a chart
 * (250 of 1.x, 250 of 2.x; small archives served by nginx), through the whole stack. 25
 * subscriptions watch the chart on ^2, 25 watch every version of it, and 950 watch other charts
 * or another registry. A receiver of the bench's own verifies every signature and counts each
 * webhook-id. Prints: deliveries expected, made, duplicated and missing, the delivery rate from
 * the sync's start, and the notifier's peak memory. Run with `node --import tsx bench/webhook_bench.ts`.
 */
import { createHash } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import yaml from "js-yaml";
import { verifyWebhookSignature } from "@charthouse/catalog";
import { makeTempDir, removeTempDir, startNginx, waitFor } from "@charthouse/testing";
import { craftTgz } from "../test/support/crafted_archives.ts";
import { startCharthouse } from "../test/support/running_charthouse.ts";
import { recordGoals } from "./support/goals.ts";
import { peakRssMb } from "./support/measures.ts";

const watchingTwo = 25;
const watchingAll = 25;
const watchingOthers = 950;
const versions = [...Array.from({ length: 250 }, (_, i) => `1.0.${i + 1}`), ...Array.from({ length: 250 }, (_, i) => `2.0.${i + 1}`)];
const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

const archives = new Map<string, Buffer>();

/** A small, valid chart archive of `web` at `version`, the same bytes each time it is asked for (new bytes would be a re-push). */
async function chartArchive(version: string): Promise<Buffer> {
  const made = archives.get(version);
  if (made !== undefined) return made;
  const archive = await craftTgz([
    { name: "web/Chart.yaml", content: `apiVersion: v2\nname: web\nversion: ${version}\nappVersion: "${version}"\ndescription: bench\n` },
    { name: "web/values.yaml", content: "replicaCount: 1\n" },
  ]);
  archives.set(version, archive);
  return archive;
}

/** Writes the archives of `list` and an index.yaml of them into `root`. */
async function publish(root: string, list: readonly string[], baseUrl: string): Promise<void> {
  const entries = [];
  for (const version of list) {
    const archive = await chartArchive(version);
    await writeFile(join(root, `web-${version}.tgz`), archive);
    entries.push({
      apiVersion: "v2",
      name: "web",
      version,
      appVersion: version,
      digest: createHash("sha256").update(archive).digest("hex"),
      urls: [`${baseUrl}/web-${version}.tgz`],
      created: new Date().toISOString(),
    });
  }
  await writeFile(join(root, "index.yaml"), yaml.dump({ apiVersion: "v1", entries: { web: entries }, generated: new Date().toISOString() }));
}

const seen = new Map<string, number>();
let badSignatures = 0;
const receiver = createServer((req, res) => {
  let body = "";
  req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
  req.on("end", () => {
    const id = String(req.headers["webhook-id"]);
    const message = { id, timestamp: Number(req.headers["webhook-timestamp"]), body };
    if (!verifyWebhookSignature(message, String(req.headers["webhook-signature"]), secret)) badSignatures++;
    seen.set(id, (seen.get(id) ?? 0) + 1);
    res.writeHead(204).end();
  });
});
await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

const root = await makeTempDir("charthouse-webhook-bench-");
const nginx = await startNginx({ root });
await publish(root, ["0.1.0"], nginx.url);
const charthouse = await startCharthouse();
try {
  const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const answer = await charthouse.api<T>(method, path, body);
    if (answer.status >= 300) throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  };
  const registry = await api<{ id: string }>("POST", "/registries", { name: "bench", url: nginx.url, sync_interval_seconds: 0 });
  const other = await api<{ id: string }>("POST", "/registries", { name: "bench-other", url: `${nginx.url}/other`, sync_interval_seconds: 0 });
  await waitFor(
    async () => (await api<{ status: { versions_ready: number } }>("GET", `/registries/${registry.id}`)).status.versions_ready === 1,
    { what: "the first version", timeoutMs: 60_000, intervalMs: 250 },
  );
  const base = { url: receiverUrl, secret, events: ["version.ready"] };
  const started = performance.now();
  for (let i = 0; i < watchingTwo + watchingAll + watchingOthers; i++) {
    const rule =
      i < watchingTwo
        ? { registry_id: registry.id, chart: "web", version_range: "^2" }
        : i < watchingTwo + watchingAll
          ? { chart: "w*" }
          : i % 2 === 0
            ? { chart: `other-${i}` }
            : { registry_id: other.id, chart: "web" };
    await api("POST", "/subscriptions", { ...base, ...rule, name: `bench-${String(i).padStart(4, "0")}` });
  }
  const subscribeSeconds = (performance.now() - started) / 1000;
  const expected = watchingTwo * 250 + watchingAll * 500;

  await publish(root, ["0.1.0", ...versions], nginx.url);
  const syncStarted = performance.now();
  await api("POST", `/registries/${registry.id}/sync`);
  const notifier = charthouse.stack.processes.find((p) => p.service === "notifier")!;
  const allReady = waitFor(
    async () => ((await api<{ status: { versions_ready: number } }>("GET", `/registries/${registry.id}`)).status.versions_ready === 501 ? performance.now() : false),
    { what: "every version ready", timeoutMs: 900_000, intervalMs: 250 },
  );
  let firstAt = 0;
  await waitFor(
    () => {
      if (firstAt === 0 && seen.size > 0) firstAt = performance.now();
      return seen.size >= expected;
    },
    { what: `${expected} deliveries`, timeoutMs: 900_000, intervalMs: 100 },
  );
  const doneAt = performance.now();
  const readyAt = await allReady;
  // Anything still arriving after the last expected one would be a duplicate or a stray: give it a moment to show.
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const duplicated = [...seen.values()].filter((n) => n > 1).length;
  const rows = [
    ["subscriptions", 1_000],
    ["subscriptions created (s)", subscribeSeconds.toFixed(1)],
    ["versions added by the sync", versions.length],
    ["deliveries expected", expected],
    ["distinct deliveries received", seen.size],
    ["deliveries received more than once", duplicated],
    ["bad signatures", badSignatures],
    ["sync start to first delivery (s)", ((firstAt - syncStarted) / 1000).toFixed(1)],
    ["sync start to last delivery (s)", ((doneAt - syncStarted) / 1000).toFixed(1)],
    ["sync start to every version ready (s)", ((readyAt - syncStarted) / 1000).toFixed(1)],
    ["deliveries per second (first to last)", (expected / ((doneAt - firstAt) / 1000)).toFixed(0)],
    ["notifier peak RSS (MB)", (await peakRssMb(notifier.child.pid!)).toFixed(0)],
  ];
  for (const [label, value] of rows) console.log(`${String(label).padEnd(40)} ${value}`);
  const goal = "webhooks (issue 15)";
  await recordGoals("webhook", [
    { goal, figure: "distinct deliveries received", charthouse: seen.size, peer: { name: "expected", value: expected }, target: "all", holds: seen.size === expected },
    { goal, figure: "deliveries received more than once, or badly signed", charthouse: duplicated + badSignatures, target: "0", holds: duplicated + badSignatures === 0 },
    { goal, figure: "deliveries per second", charthouse: expected / ((doneAt - firstAt) / 1000), target: "-", holds: null },
  ]);
} finally {
  await charthouse.stop();
  await nginx.stop();
  receiver.close();
  await removeTempDir(root);
}
