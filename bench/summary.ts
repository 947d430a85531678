/**
 * The one table of `npm run bench`: every goal's figure beside its peer and the goal, and whether
 * it holds, from the rows the benches of this run recorded (bench/support/goals.ts).
 */
import { formatFigure, readGoals } from "./support/goals.ts";

// Goals in the order ("1 …", "2 …"), each bench's rows in the order it recorded them.
const rows = (await readGoals()).sort((a, b) => a.goal.localeCompare(b.goal, "en", { numeric: true }));
const lines = [
  "| goal | figure | Charthouse | peer | Charthouse / peer | target | holds |",
  "| --- | --- | --- | --- | --- | --- | --- |",
];
for (const row of rows) {
  const peer = row.peer ? `${formatFigure(row.peer.value)} (${row.peer.name})` : "-";
  const ratio = row.peer && row.peer.value !== 0 ? formatFigure(row.charthouse / row.peer.value) : "-";
  const holds = row.holds === null ? "-" : row.holds ? "holds" : "missed";
  lines.push(`| ${row.goal} | ${row.figure} | ${formatFigure(row.charthouse)} | ${peer} | ${ratio} | ${row.target} | ${holds} |`);
}
const judged = rows.filter((r) => r.holds !== null);
lines.push("", `${judged.filter((r) => r.holds).length} of ${judged.length} goals hold.`);
process.stdout.write(`${lines.join("\n")}\n`);
