/**
 * What goes wrong in scripts: each case ends with a clear task error (or Kestra's documented
 * behaviour), loses none of what the script printed, and leaves no process behind.
 */
import { mkdtempSync, readFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, type TestInstance } from "@saker/engine/testing";
import { flow, logLines, scriptsInstance, taskRun } from "../test/support.ts";

let test: TestInstance;
let scratch: string;
beforeAll(async () => {
  test = await scriptsInstance();
  scratch = mkdtempSync(join(tmpdir(), "saker-scripts-bad-"));
});
afterAll(async () => {
  await test?.close();
  rmSync(scratch, { recursive: true, force: true });
});

const errors = (id: string) => logLines(test, id, "ERROR").join("\n");

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The pids a script wrote, one per line, once it wrote `count` of them. */
async function pidsIn(file: string, count: number): Promise<number[]> {
  return eventually(
    () => {
      if (!existsSync(file)) return undefined;
      const pids = readFileSync(file, "utf8").split("\n").filter(Boolean).map(Number);
      return pids.length >= count ? pids : undefined;
    },
    15_000,
    `${count} pids in ${file}`,
  );
}

/** A shell script that starts a child ignoring SIGTERM, records both pids, then waits forever ignoring SIGTERM too. */
const stubborn = (pidFile: string) => `script: |
  trap '' TERM
  sh -c 'trap "" TERM; while :; do sleep 1; done' &
  echo $! >> ${pidFile}
  echo $$ >> ${pidFile}
  echo started
  while :; do sleep 1; done`;

describe("bad inputs", () => {
  it("a missing interpreter fails naming it", async () => {
    const ex = await test.run(
      flow("nointerp", "io.kestra.plugin.scripts.python.Script", `env:\n  PATH: /nonexistent\nscript: print(1)`),
    );
    expect(ex.state.current).toBe("FAILED");
    expect(errors(ex.id)).toContain(
      "python.Script needs 'python3' or 'python' on the PATH of the worker, and none was found (PATH=/nonexistent)",
    );
    const ruby = await test.run(
      flow("noruby", "io.kestra.plugin.scripts.ruby.Commands", `env:\n  PATH: /nonexistent\ncommands: [ruby main.rb]`),
    );
    expect(ruby.state.current).toBe("FAILED");
    expect(errors(ruby.id)).toContain(
      "Command failed with exit code 127 (a command was not found; is 'ruby' on the PATH of the worker?)",
    );
  });

  it("a non-zero exit fails with the exit code and the last lines of stderr, keeping the outputs", async () => {
    const ex = await test.run(
      flow(
        "exit3",
        "io.kestra.plugin.scripts.python.Script",
        `script: |\n  import sys\n  from kestra import Kestra\n  Kestra.outputs({"partial": 1})\n  for i in range(15):\n      print(f"problem {i}", file=sys.stderr)\n  sys.exit(3)`,
      ),
    );
    expect(ex.state.current).toBe("FAILED");
    expect(taskRun(ex, "t").outputs).toMatchObject({ vars: { partial: 1 }, exitCode: 3 });
    const message = logLines(test, ex.id, "ERROR").find((l) => l.includes("Command failed"))!;
    expect(message).toContain("Command failed with exit code 3. Last lines of stderr:\nproblem 5\n");
    expect(message).toContain("problem 14");
    expect(message).not.toContain("problem 4\n");
    // Every stderr line is in the logs too.
    expect(logLines(test, ex.id, "ERROR").filter((l) => /^ERROR problem \d+$/.test(l))).toHaveLength(15);
  });

  it("a malformed ::{}:: line is logged with a warning, as Kestra does, and the task goes on", async () => {
    const ex = await test.run(
      flow(
        "malformed",
        "io.kestra.plugin.scripts.shell.Script",
        `script: |\n  echo '::{"outputs": {"a": 1}::'\n  echo '::{"outputs":{"b":2}}::'`,
      ),
    );
    expect(ex.state.current).toBe("SUCCESS");
    expect(taskRun(ex, "t").outputs).toMatchObject({ vars: { b: 2 } });
    const warning = logLines(test, ex.id, "WARN").find((l) => l.includes("Invalid outputs line"));
    expect(warning).toMatch(/^WARN Invalid outputs line \(.+\), logged as it was: ::\{"outputs": \{"a": 1\}::$/);
  });

  it("an output file glob matching nothing warns and outputs no file, as Kestra does", async () => {
    const ex = await test.run(
      flow(
        "noglob",
        "io.kestra.plugin.scripts.shell.Commands",
        `outputFiles: ["*.csv", "out.txt"]\ncommands: [echo x > out.txt]`,
      ),
    );
    expect(ex.state.current).toBe("SUCCESS");
    expect(Object.keys((taskRun(ex, "t").outputs as { outputFiles: object }).outputFiles)).toEqual(["out.txt"]);
    expect(logLines(test, ex.id, "WARN")).toContain("WARN outputFiles: no file matches '*.csv'");
  });

  it("huge stdout is logged entirely, a huge line in pieces", async () => {
    const ex = await test.run(
      flow(
        "huge",
        "io.kestra.plugin.scripts.python.Script",
        `script: |\n  import sys\n  for i in range(20000):\n      print(f"line {i}")\n  sys.stdout.write("x" * (3 * 1024 * 1024 + 5))\n  sys.stdout.flush()\n  print()\n  print("::" + '{"outputs":{"done":true}}' + "::")`,
      ),
      {},
      120_000,
    );
    expect(ex.state.current).toBe("SUCCESS");
    expect(taskRun(ex, "t").outputs).toMatchObject({ vars: { done: true } });
    const lines = test.instance.logs.find({ executionId: ex.id, taskId: "t", minLevel: "INFO" }).map((l) => l.message);
    const numbered = lines.filter((l) => l.startsWith("line "));
    expect(numbered).toHaveLength(20000);
    expect(numbered[19999]).toBe("line 19999");
    const xs = lines.filter((l) => l.startsWith("x"));
    expect(xs.map((l) => l.length)).toEqual([1 << 20, 1 << 20, 1 << 20, 5]);
  }, 120_000);

  it("a script that forks and ignores SIGTERM is killed, children included, on timeout", async () => {
    const pidFile = join(scratch, "timeout.pids");
    const ex = await test.run(
      flow("stubborn", "io.kestra.plugin.scripts.shell.Script", `timeout: PT2S\n${stubborn(pidFile)}`),
      {},
      30_000,
    );
    expect(ex.state.current).toBe("FAILED");
    expect(errors(ex.id)).toContain("Timeout after PT2S");
    const pids = await pidsIn(pidFile, 2);
    await eventually(() => (pids.some(alive) ? undefined : true), 15_000, "the script's processes to be gone");
  }, 40_000);

  it("killing the execution kills the script's process group", async () => {
    const pidFile = join(scratch, "kill.pids");
    const { flow: deployed } = await test.instance.deploy(
      flow("killme", "io.kestra.plugin.scripts.shell.Script", stubborn(pidFile)),
    );
    const created = await test.instance.createExecution(deployed.namespace, deployed.id);
    const pids = await pidsIn(pidFile, 2);
    expect(pids.every(alive)).toBe(true);
    await test.instance.kill(created.id);
    const ended = await test.instance.waitForEnd(created.id, 20_000);
    expect(ended.state.current).toBe("KILLED");
    await eventually(() => (pids.some(alive) ? undefined : true), 15_000, "the script's processes to be gone");
  }, 40_000);

  it("a process left running in the background when the script ends is stopped", async () => {
    const pidFile = join(scratch, "background.pids");
    const ex = await test.run(
      flow(
        "background",
        "io.kestra.plugin.scripts.shell.Commands",
        `commands:\n  - sleep 300 &\n  - echo $! >> ${pidFile}`,
      ),
      {},
      30_000,
    );
    expect(ex.state.current).toBe("SUCCESS");
    const [pid] = await pidsIn(pidFile, 1);
    await eventually(() => (alive(pid!) ? undefined : true), 10_000, "the background process to be gone");
  }, 40_000);

  it("an env variable colliding with one the task sets is refused, naming it", async () => {
    const ex = await test.run(
      flow("collide", "io.kestra.plugin.scripts.shell.Commands", `env:\n  WORKING_DIR: /tmp\ncommands: [echo hi]`),
    );
    expect(ex.state.current).toBe("FAILED");
    expect(errors(ex.id)).toMatch(
      /env\.WORKING_DIR: collides with the variable the task sets itself \(WORKING_DIR=.+\); use another name/,
    );
    // PYTHONPATH is a search path: the task's value is added after the helper's.
    const path = await test.run(
      flow(
        "pypath",
        "io.kestra.plugin.scripts.python.Script",
        `env:\n  PYTHONPATH: /opt/mine\nscript: |\n  import sys\n  from kestra import Kestra\n  print("/opt/mine" in sys.path)`,
      ),
    );
    expect(path.state.current).toBe("SUCCESS");
    expect(logLines(test, path.id)).toContain("INFO True");
  });
});
