/**
 * Kill the process with SIGKILL in the middle of a flow, start it again on the same data folder:
 * the execution resumes and ends as it would have, with no task run lost or duplicated past its
 * attempt. Uses the real CLI and reads the SQLite file as a client would.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { BIN, ROOT } from "./cli.ts";

const work = mkdtempSync(join(tmpdir(), "saker-crash-"));
const home = join(work, "home");
afterAll(() => rmSync(work, { recursive: true, force: true }));

const sleeps = (prefix: string, n: number, indent: string) =>
  Array.from(
    { length: n },
    (_, i) =>
      `${indent}- id: ${prefix}${i}\n${indent}  type: io.kestra.plugin.core.flow.Sleep\n${indent}  duration: PT0.2S\n`,
  ).join("");

const FLOW = `id: crash
namespace: it.crash
tasks:
  - id: steps
    type: io.kestra.plugin.core.flow.Sequential
    tasks:
${sleeps("s", 10, "      ")}  - id: fanout
    type: io.kestra.plugin.core.flow.Parallel
    tasks:
${sleeps("p", 4, "      ")}  - id: last
    type: io.kestra.plugin.core.debug.Return
    format: "{{ outputs | keys | length }}"
`;

function start(args: string[]): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, SAKER_HOME: home } });
}

function waitForLog(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(
      () => reject(new Error(`no ${pattern} within ${timeoutMs} ms; stderr:\n${seen}`)),
      timeoutMs,
    );
    child.stderr!.on("data", (chunk: Buffer) => {
      seen += chunk.toString();
      if (pattern.test(seen)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

interface Row {
  json: string;
  finished: number;
}

async function pollExecution(timeoutMs: number): Promise<Record<string, any>> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const db = new Database(join(home, "saker.db"), { readonly: true, fileMustExist: true });
    try {
      const row = db.prepare("SELECT json, finished FROM execution_documents WHERE flow_id = 'crash'").get() as
        Row | undefined;
      if (row?.finished === 1) return JSON.parse(row.json);
    } finally {
      db.close();
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("the execution did not finish after the restart");
}

describe("crash and resume", () => {
  it("resumes an execution killed mid-flow, losing and duplicating nothing", async () => {
    const file = join(work, "crash.yaml");
    writeFileSync(file, FLOW);
    const first = start(["flow", "run", file, "--json"]);
    await waitForLog(first, /\[s4\] Type Sleep started/, 30_000);
    first.kill("SIGKILL");
    await new Promise((r) => first.once("close", r));

    const db = new Database(join(home, "saker.db"), { readonly: true });
    const before = JSON.parse(
      (db.prepare("SELECT json FROM execution_documents WHERE flow_id = 'crash'").get() as Row).json,
    );
    db.close();
    expect(before.state.current).toBe("RUNNING");
    const doneBefore = before.taskRunList.filter((t: any) => t.state.current === "SUCCESS").map((t: any) => t.taskId);
    expect(doneBefore).toEqual(expect.arrayContaining(["s0", "s1", "s2", "s3"]));

    const server = start(["server", "local"]);
    try {
      const execution = await pollExecution(30_000);
      expect(execution.state.current).toBe("SUCCESS");
      const ids = execution.taskRunList.map((t: any) => t.taskId);
      const expected = [
        "steps",
        ...Array.from({ length: 10 }, (_, i) => `s${i}`),
        "fanout",
        ...Array.from({ length: 4 }, (_, i) => `p${i}`),
        "last",
      ];
      expect([...ids].sort()).toEqual([...expected].sort());
      for (const run of execution.taskRunList) expect(run.state.current, run.taskId).toBe("SUCCESS");
      for (const run of execution.taskRunList.filter((t: any) => t.taskId !== "steps" && t.taskId !== "fanout")) {
        expect(run.attempts, run.taskId).toHaveLength(1);
      }
      expect(execution.taskRunList.find((t: any) => t.taskId === "last").outputs.value).toBe("16");

      const logs = new Database(join(home, "saker.db"), { readonly: true });
      const starts = logs
        .prepare(
          "SELECT task_id AS taskId, COUNT(*) AS n FROM logs WHERE message LIKE 'Type % started' GROUP BY task_id",
        )
        .all() as { taskId: string; n: number }[];
      logs.close();
      const twice = starts.filter((s) => s.n > 1);
      expect(twice.length).toBeLessThanOrEqual(1);
      for (const s of starts) expect(s.n, s.taskId).toBeLessThanOrEqual(2);
      for (const done of doneBefore) expect(starts.find((s) => s.taskId === done)?.n, done).toBe(1);
    } finally {
      server.kill("SIGTERM");
      await new Promise((r) => server.once("close", r));
    }
  }, 90_000);
});
