import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitFor } from "@charthouse/testing";
import { afterEach, describe, expect, it } from "vitest";
import { describeStackEvent } from "./start_stack.ts";
import { superviseProcess, type SupervisedProcess, type SupervisorEvent } from "./supervised_process.ts";

const fastPolicy = { initialDelayMs: 50, maxDelayMs: 200, healthyAfterMs: 60_000 };
const running: SupervisedProcess[] = [];

/** A supervised `node -e script` whose events are collected. */
function supervise(script: string, restart: typeof fastPolicy | false = fastPolicy, env: Record<string, string> = {}) {
  const events: SupervisorEvent[] = [];
  const supervisor = superviseProcess({
    name: "worker",
    restart,
    onEvent: (event) => events.push(event),
    spawn: () => spawn(process.execPath, ["-e", script], { env: { ...process.env, ...env }, stdio: "ignore" }),
  });
  running.push(supervisor);
  return { supervisor, events };
}

const forever = "setInterval(() => {}, 1000)";

afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop(1_000)));
});

describe("superviseProcess()", () => {
  it("starts a process killed with SIGKILL again, with the same command line, and reports why", async () => {
    const { supervisor, events } = supervise(forever);
    const first = supervisor.child.pid;
    await supervisor.kill("SIGKILL");
    await waitFor(() => supervisor.starts === 2 && supervisor.child.pid !== undefined, { what: "a second start", timeoutMs: 5_000 });
    expect(supervisor.child.pid).not.toBe(first);
    expect(supervisor.child.exitCode).toBeNull();
    expect(events.map((e) => (e.kind === "started" ? `started:${e.reason}` : `exited:${e.signal}:${e.restartInMs}`))).toEqual([
      "started:first",
      "exited:SIGKILL:50",
      "started:crash",
    ]);
    expect(describeStackEvent(events[1]!)).toMatch(/^worker exited \(signal SIGKILL\) after \d+\.\d s; restarting it in 0\.1 s$/);
  });

  it("waits twice as long after each crash in a row, up to the maximum", async () => {
    const { supervisor, events } = supervise("process.exit(3)");
    await waitFor(() => supervisor.starts >= 5, { what: "five starts", timeoutMs: 5_000 });
    const waits = events.flatMap((e) => (e.kind === "exited" ? [e.restartInMs] : [])).slice(0, 4);
    expect(waits).toEqual([50, 100, 200, 200]);
    expect(events.find((e) => e.kind === "exited")).toMatchObject({ code: 3, signal: null });
  });

  it("restart() stops the process and starts it at once with the same environment, whatever the backoff", async () => {
    const mark = join(tmpdir(), `charthouse-supervisor-${process.pid}-${Date.now()}`);
    const { supervisor, events } = supervise(
      `require("node:fs").appendFileSync(process.env.MARK, process.env.WORD + "\\n"); ${forever}`,
      { initialDelayMs: 60_000, maxDelayMs: 60_000, healthyAfterMs: 60_000 },
      { MARK: mark, WORD: "same" },
    );
    await waitFor(() => existsSync(mark), { what: "the first process to write its mark", timeoutMs: 5_000 });
    await supervisor.restart({ signal: "SIGTERM", graceMs: 1_000 });
    expect(supervisor.starts).toBe(2);
    await waitFor(() => readFileSync(mark, "utf8") === "same\nsame\n", { what: "the second process to write the same mark", timeoutMs: 5_000 });
    rmSync(mark, { force: true });
    expect(events.filter((e) => e.kind === "exited").map((e) => e.kind === "exited" && e.restartInMs)).toEqual([null]);
    expect(events.at(-1)).toMatchObject({ kind: "started", reason: "explicit" });
  });

  it("leaves a process down without a restart policy, and after stop()", async () => {
    const { supervisor, events } = supervise("process.exit(1)", false);
    await waitFor(() => events.some((e) => e.kind === "exited"), { what: "the exit", timeoutMs: 5_000 });
    const kept = supervise(forever);
    await kept.supervisor.stop(1_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(supervisor.starts).toBe(1);
    expect(kept.supervisor.starts).toBe(1);
    expect(kept.events.at(-1)).toMatchObject({ kind: "exited", restartInMs: null });
    await expect(kept.supervisor.restart()).rejects.toThrow(/was stopped/);
  });
});
