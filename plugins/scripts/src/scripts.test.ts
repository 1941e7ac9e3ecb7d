/**
 * Script tasks on a real engine instance: outputs, metrics, logs and files passed between Python,
 * shell and Node tasks, and every property Kestra documents.
 */
import { existsSync, readdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestInstance } from "@saker/engine/testing";
import { flow, logLines, scriptsInstance, storedText, taskRun } from "../test/support.ts";

let test: TestInstance;
beforeAll(async () => {
  test = await scriptsInstance();
});
afterAll(async () => test?.close());

const CHAIN = `id: chain
namespace: company.scripts
tasks:
  - id: py
    type: io.kestra.plugin.scripts.python.Script
    outputFiles: ["data/*.csv"]
    script: |
      import os
      from kestra import Kestra
      os.makedirs("data", exist_ok=True)
      with open("data/orders.csv", "w") as f:
          f.write("id,amount\\n1,10\\n2,32\\n")
      Kestra.outputs({"rows": 2, "flag": True, "nested": {"k": "v"}})
      Kestra.counter("rows", 2, {"source": "py"})
      Kestra.timer("load", 1.5)
      Kestra.timer("slept", lambda: None)
      Kestra.logger().error("from the python logger")
  - id: sh
    type: io.kestra.plugin.scripts.shell.Commands
    inputFiles:
      orders.csv: "{{ outputs.py.outputFiles['data/orders.csv'] }}"
    outputFiles: ["total.txt"]
    commands:
      - total=$(awk -F, 'NR>1{s+=$2} END{print s}' orders.csv)
      - echo "$total" > total.txt
      - echo "::{\\"outputs\\":{\\"total\\":$total,\\"rows\\":{{ outputs.py.vars.rows }}}}::"
  - id: js
    type: io.kestra.plugin.scripts.node.Script
    inputFiles:
      total.txt: "{{ outputs.sh.outputFiles['total.txt'] }}"
    script: |
      const Kestra = require('@kestra-io/libs');
      const fs = require('fs');
      const total = Number(fs.readFileSync('total.txt', 'utf8'));
      Kestra.outputs({ doubled: total * 2, fromPython: {{ outputs.py.vars.nested | json }} });
      Kestra.counter('seen', 1);
      Kestra.logger().warn('careful');
      console.log('total is', total);
`;

describe("a flow of Python, shell and Node tasks", () => {
  it("passes outputs and files from one to the next", async () => {
    const execution = await test.run(CHAIN, {}, 60_000);
    expect(execution.state.current, JSON.stringify(logLines(test, execution.id, "WARN"))).toBe("SUCCESS");
    const py = taskRun(execution, "py").outputs as {
      vars: unknown;
      exitCode: number;
      outputFiles: Record<string, string>;
    };
    expect(py.vars).toEqual({ rows: 2, flag: true, nested: { k: "v" } });
    expect(py.exitCode).toBe(0);
    expect(Object.keys(py.outputFiles)).toEqual(["data/orders.csv"]);
    expect(py.outputFiles["data/orders.csv"]).toMatch(
      /^kestra:\/\/\/company\/scripts\/chain\/executions\/.+orders\.csv$/,
    );
    expect(await storedText(test, py.outputFiles["data/orders.csv"]!)).toBe("id,amount\n1,10\n2,32\n");
    expect(taskRun(execution, "sh").outputs).toMatchObject({ vars: { total: 42, rows: 2 }, exitCode: 0 });
    expect(taskRun(execution, "js").outputs).toMatchObject({
      vars: { doubled: 84, fromPython: { k: "v" } },
      exitCode: 0,
    });
    const logs = logLines(test, execution.id);
    expect(logs).toContain("INFO total is 42");
    expect(logs).toContain("WARN careful");
    expect(logs).toContain("ERROR from the python logger");
    expect(logs.some((l) => l.includes("::{"))).toBe(false);
    const metrics = test.instance.metrics
      .byExecution(execution.id)
      .map((m) => ({ name: m.name, type: m.type, value: m.value, tags: m.tags }));
    expect(metrics).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: "rows", type: "counter", value: 2 }),
        expect.objectContaining({ name: "load", type: "timer", value: 1500 }),
        expect.objectContaining({ name: "seen", type: "counter", value: 1 }),
        expect.objectContaining({ name: "slept", type: "timer" }),
      ]),
    );
  });
});

describe("properties", () => {
  it("runs beforeCommands in the same shell, knows {{ workingDir }} and sets WORKING_DIR", async () => {
    const ex = await test.run(
      flow(
        "wd",
        "io.kestra.plugin.scripts.shell.Script",
        `beforeCommands:\n  - export GREETING=hello\nscript: |\n  echo "$GREETING from {{ workingDir }}"\n  test "$WORKING_DIR" = "{{ workingDir }}" && echo same\n  echo "::{\\"outputs\\":{\\"dir\\":\\"$PWD\\"}}::"`,
      ),
    );
    expect(ex.state.current).toBe("SUCCESS");
    const dir = (taskRun(ex, "t").outputs as { vars: { dir: string } }).vars.dir;
    expect(logLines(test, ex.id)).toEqual(expect.arrayContaining([`INFO hello from ${dir}`, "INFO same"]));
    // The working directory is removed once the attempt ends.
    expect(existsSync(dir)).toBe(false);
  });

  it("stops at the first failing command with failFast, and goes on without it", async () => {
    const commands = `commands:\n  - "false"\n  - echo '::{"outputs":{"after":true}}::'`;
    const fast = await test.run(flow("fast", "io.kestra.plugin.scripts.shell.Commands", commands));
    expect(fast.state.current).toBe("FAILED");
    const slow = await test.run(
      flow("slow", "io.kestra.plugin.scripts.shell.Commands", `failFast: false\n${commands}`),
    );
    expect(slow.state.current).toBe("SUCCESS");
    expect(taskRun(slow, "t").outputs).toMatchObject({ vars: { after: true } });
  });

  it("uses the interpreter given, and passes env (rendered) to the script", async () => {
    const ex = await test.run(
      flow(
        "interp",
        "io.kestra.plugin.scripts.shell.Commands",
        `interpreter: ["/bin/bash", "-c"]\nenv:\n  NAME: "{{ flow.id }}"\n  COUNT: 3\ncommands:\n  - 'echo "$BASH_VERSION" | grep -q . && echo "bash $NAME $COUNT"'`,
      ),
    );
    expect(ex.state.current).toBe("SUCCESS");
    expect(logLines(test, ex.id)).toContain("INFO bash interp 3");
  });

  it("copies namespace files (include/exclude) and downloads kestra:// URIs named in commands", async () => {
    const ns = (await import("@saker/engine/testing")).namespaceFiles(test.instance.storage, "company.scripts");
    await ns.put("/scripts/main.py", Buffer.from("from helper import greet\nprint(greet('ns'))\n"));
    await ns.put("/scripts/helper.py", Buffer.from("def greet(who):\n    return 'hello ' + who\n"));
    await ns.put("/other/skip.txt", Buffer.from("no"));
    const source = `id: nsfiles
namespace: company.scripts
tasks:
  - id: make
    type: io.kestra.plugin.scripts.shell.Commands
    outputFiles: ["made.txt"]
    commands:
      - echo made > made.txt
  - id: t
    type: io.kestra.plugin.scripts.python.Commands
    namespaceFiles:
      enabled: true
      include: ["scripts/**"]
    commands:
      - python3 scripts/main.py
      - ls -R . | grep -c skip.txt || true
      - cat {{ outputs.make.outputFiles['made.txt'] }}
`;
    const ex = await test.run(source);
    expect(ex.state.current, JSON.stringify(logLines(test, ex.id, "WARN"))).toBe("SUCCESS");
    expect(logLines(test, ex.id)).toEqual(expect.arrayContaining(["INFO hello ns", "INFO 0", "INFO made"]));
  });

  it("ends in WARNING on stderr only with warningOnStdErr: true; stderr is logged at ERROR", async () => {
    const script = `script: echo oops >&2`;
    const quiet = await test.run(flow("stderr1", "io.kestra.plugin.scripts.shell.Script", script));
    expect(quiet.state.current).toBe("SUCCESS");
    expect(logLines(test, quiet.id, "ERROR")).toEqual(["ERROR oops"]);
    const warned = await test.run(
      flow("stderr2", "io.kestra.plugin.scripts.shell.Script", `warningOnStdErr: true\n${script}`),
    );
    expect(warned.state.current).toBe("WARNING");
  });

  it("accepts the deprecated Bash type, runner: PROCESS and outputDirectory", async () => {
    const bash = await test.run(
      flow(
        "bash",
        "io.kestra.core.tasks.scripts.Bash",
        `outputFiles: [first]\ncommands:\n  - echo one > {{ outputFiles.first }}\n  - echo '::{"outputs":{"ok":1}}::'`,
      ),
    );
    expect(bash.state.current).toBe("SUCCESS");
    const out = taskRun(bash, "t").outputs as { vars: unknown; outputFiles: Record<string, string> };
    expect(out.vars).toEqual({ ok: 1 });
    expect(await storedText(test, out.outputFiles.first!)).toBe("one\n");
    const old = await test.run(
      flow(
        "old",
        "io.kestra.plugin.scripts.shell.Commands",
        `runner: PROCESS\noutputDirectory: true\ncommands:\n  - echo x > {{ outputDir }}/x.txt\n  - echo y > "$OUTPUT_DIR/y.txt"`,
      ),
    );
    expect(old.state.current).toBe("SUCCESS");
    expect(Object.keys((taskRun(old, "t").outputs as { outputFiles: object }).outputFiles).sort()).toEqual([
      "x.txt",
      "y.txt",
    ]);
  });

  it("runs with taskRunner Process, and fails clearly with Docker where no engine answers", async () => {
    const process = await test.run(
      flow(
        "proc",
        "io.kestra.plugin.scripts.shell.Commands",
        `taskRunner:\n  type: io.kestra.plugin.core.runner.Process\ncommands: [echo ok]`,
      ),
    );
    expect(process.state.current).toBe("SUCCESS");
    const docker = await test.run(
      flow(
        "docker",
        "io.kestra.plugin.scripts.python.Script",
        `containerImage: python:3.13-slim\ntaskRunner:\n  type: io.kestra.plugin.scripts.runner.docker.Docker\n  host: unix:///nonexistent/docker.sock\n  pullPolicy: IF_NOT_PRESENT\n  cpu:\n    cpus: 1\nscript: print(1)`,
      ),
    );
    expect(docker.state.current).toBe("FAILED");
    expect(logLines(test, docker.id, "ERROR").join("\n")).toContain(
      "The Docker task runner needs a Docker engine, and none answers at unix:///nonexistent/docker.sock",
    );
    const deprecated = await test.run(
      flow(
        "olddocker",
        "io.kestra.plugin.scripts.shell.Commands",
        `runner: DOCKER\ndocker:\n  image: ubuntu\n  host: tcp://127.0.0.1:1\ncommands: [echo ok]`,
      ),
    );
    expect(deprecated.state.current).toBe("FAILED");
    expect(logLines(test, deprecated.id, "ERROR").join("\n")).toContain("none answers at tcp://127.0.0.1:1");
    const unknown = await test.run(
      flow(
        "unknown",
        "io.kestra.plugin.scripts.shell.Commands",
        `taskRunner:\n  type: io.example.Nope\ncommands: [echo ok]`,
      ),
    );
    expect(logLines(test, unknown.id, "ERROR").join("\n")).toContain(
      "unknown task runner 'io.example.Nope'; available: io.kestra.plugin.core.runner.Process, io.kestra.plugin.scripts.runner.docker.Docker",
    );
  });

  it("a failing script is retried by the task's retry policy, each attempt in a fresh directory", async () => {
    const ex = await test.run(
      flow(
        "retried",
        "io.kestra.plugin.scripts.shell.Script",
        `retry:\n  type: constant\n  interval: PT0.1S\n  maxAttempt: 3\nscript: |\n  ls marker 2>/dev/null && echo "leftover"\n  touch marker\n  test {{ taskrun.attemptsCount }} -ge 2`,
      ),
    );
    expect(ex.state.current).toBe("SUCCESS");
    expect(taskRun(ex, "t").attempts).toHaveLength(3);
    expect(logLines(test, ex.id)).not.toContain("INFO leftover");
  });

  it("lets Python read rendered JSON booleans and nulls, and keeps from __future__ imports first", async () => {
    const json = await test.run(
      flow(
        "pyjson",
        "io.kestra.plugin.scripts.python.Script",
        `script: |\n  value = {{ {"a": true, "b": false} | json }}\n  print(value, null)`,
      ),
    );
    expect(logLines(test, json.id)).toContain("INFO {'a': True, 'b': False} None");
    const future = await test.run(
      flow(
        "pyfuture",
        "io.kestra.plugin.scripts.python.Script",
        `script: |\n  from __future__ import annotations\n  print("future ok")`,
      ),
    );
    expect(future.state.current).toBe("SUCCESS");
    expect(logLines(test, future.id)).toContain("INFO future ok");
  });

  it("shares a WorkingDirectory with the tasks beside it", async () => {
    const source = `id: shared
namespace: company.scripts
tasks:
  - id: wd
    type: io.kestra.plugin.core.flow.WorkingDirectory
    inputFiles:
      seed.txt: "7"
    tasks:
      - id: py
        type: io.kestra.plugin.scripts.python.Script
        script: |
          n = int(open("seed.txt").read())
          open("double.txt", "w").write(str(n * 2))
      - id: sh
        type: io.kestra.plugin.scripts.shell.Commands
        outputFiles: ["double.txt"]
        commands:
          - echo "::{\\"outputs\\":{\\"double\\":$(cat double.txt)}}::"
`;
    const ex = await test.run(source);
    expect(ex.state.current, JSON.stringify(logLines(test, ex.id, "WARN"))).toBe("SUCCESS");
    expect(taskRun(ex, "sh").outputs).toMatchObject({
      vars: { double: 14 },
      outputFiles: { "double.txt": expect.stringMatching(/^kestra:\/\//) },
    });
  });

  it("leaves no working directory behind", async () => {
    const tmp = test.instance.config.tmpDir;
    const list = () => (existsSync(tmp) ? readdirSync(tmp) : []);
    const before = new Set(list());
    const ex = await test.run(
      flow("clean", "io.kestra.plugin.scripts.python.Script", `script: open('x.txt', 'w').write('x')`),
    );
    expect(ex.state.current).toBe("SUCCESS");
    expect(list().filter((name) => !before.has(name))).toEqual([]);
  });
});
