/**
 * Setting up a fleet: 10,000 registries created through POST /registries/bulk (1,000 per
 * request) beside 1,000 created one POST /registries at a time, the loop a user would write.
 * The whole stack runs (`npm start`'s services), so every new registry's first sync really
 * happens meanwhile: the scheduler, fetchers, downloader and extractor compete for the cores.
 * Every registry points at one small chart repository served by nginx.
 * Prints one table; run with `npm run bench`.
 */
import { makeTempDir, removeTempDir, startNginx } from "@charthouse/testing";
import { makeFaultRepository } from "../test/support/fault_repository.ts";
import { startCharthouse } from "../test/support/running_charthouse.ts";
import { recordGoals } from "./support/goals.ts";

const FLEET = 10_000;
const PER_REQUEST = 1_000;
const SINGLES = 1_000;
/** The goal: a fleet of 10,000 set up in under a minute. */
const GOAL_SECONDS = 60;

const root = await makeTempDir("charthouse-fleet-bench-");
const repository = await makeFaultRepository(root, "fleet", { charts: 1 });
await repository.publishWave(1);
const nginx = await startNginx({ root });
const charthouse = await startCharthouse();
try {
  const url = `${nginx.url}/fleet/`;

  const singlesStarted = performance.now();
  for (let i = 0; i < SINGLES; i++) {
    const { status } = await charthouse.api("POST", "/registries", { name: `single-${i}`, url });
    if (status !== 201) throw new Error(`POST /registries answered ${status}`);
  }
  const singlesSeconds = (performance.now() - singlesStarted) / 1000;

  const bulkStarted = performance.now();
  for (let first = 0; first < FLEET; first += PER_REQUEST) {
    const registries = Array.from({ length: PER_REQUEST }, (_, i) => ({ name: `fleet-${first + i}`, url }));
    const { status } = await charthouse.api("POST", "/registries/bulk", { registries });
    if (status !== 201) throw new Error(`POST /registries/bulk answered ${status}`);
  }
  const bulkSeconds = (performance.now() - bulkStarted) / 1000;

  const singleMs = (singlesSeconds * 1000) / SINGLES;
  const bulkMs = (bulkSeconds * 1000) / FLEET;
  const lines = [
    `Whole stack running; each new registry's first sync runs meanwhile (${SINGLES} single creates first, then the fleet).`,
    "",
    "| measure | bulk create | one POST at a time | bulk / one at a time | goal |",
    "| --- | --- | --- | --- | --- |",
    `| ms per registry | ${bulkMs.toFixed(2)} | ${singleMs.toFixed(2)} | ${(bulkMs / singleMs).toFixed(3)} | - |`,
    `| ${FLEET.toLocaleString("en")} registries (s) | ${bulkSeconds.toFixed(1)} (measured) | ${((singleMs * FLEET) / 1000).toFixed(1)} (at the rate of ${SINGLES}) | - | < ${GOAL_SECONDS} s: ${bulkSeconds < GOAL_SECONDS ? "holds" : "missed"} |`,
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  await recordGoals("fleet_create", [
    {
      goal: "3 fleet set-up",
      figure: `${FLEET.toLocaleString("en")} registries created (s)`,
      charthouse: bulkSeconds,
      peer: { name: "one POST at a time, extrapolated", value: (singleMs * FLEET) / 1000 },
      target: `< ${GOAL_SECONDS} s`,
      holds: bulkSeconds < GOAL_SECONDS,
    },
  ]);
} finally {
  await charthouse.stop();
  await nginx.stop();
  await removeTempDir(root);
}
