/**
 * The acceptance flow on a fresh data folder with no install step: the bundled scripts
 * and JDBC plugins run a flow of Python, shell and Node tasks passing outputs and files, and a
 * DuckDB query reading the CSV the Python task wrote, with `saker flow run`. Also checks that the
 * plugin's npm package carries its Python helper. Needs the built packages (npm run build).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, executionOf, runCli } from "./cli.ts";

const FLOW = `id: polyglot
namespace: company.team
inputs:
  - id: n
    type: INT
    defaults: 5
tasks:
  - id: py
    type: io.kestra.plugin.scripts.python.Script
    outputFiles: ["squares.txt"]
    script: |
      from kestra import Kestra
      n = {{ inputs.n }}
      with open("squares.txt", "w") as f:
          f.write("\\n".join(str(i * i) for i in range(1, n + 1)) + "\\n")
      Kestra.outputs({"count": n})
      Kestra.counter("squares", n)
  - id: sh
    type: io.kestra.plugin.scripts.shell.Commands
    inputFiles:
      squares.txt: "{{ outputs.py.outputFiles['squares.txt'] }}"
    outputFiles: ["sum.txt"]
    commands:
      - awk '{s+=$1} END{print s}' squares.txt > sum.txt
      - echo "::{\\"outputs\\":{\\"sum\\":$(cat sum.txt)}}::"
  - id: js
    type: io.kestra.plugin.scripts.node.Script
    script: |
      const Kestra = require('@kestra-io/libs');
      const sum = {{ outputs.sh.vars.sum }};
      Kestra.outputs({ mean: sum / {{ outputs.py.vars.count }} });
      console.log('mean computed');
  - id: last
    type: io.kestra.plugin.core.debug.Return
    format: "{{ outputs.js.vars.mean }}"
  - id: csv
    type: io.kestra.plugin.scripts.python.Commands
    outputFiles: ["squares.csv"]
    commands:
      - python3 -c "print('n,square'); [print(f'{i},{i*i}') for i in range(1, {{ inputs.n }} + 1)]" > squares.csv
  - id: duck
    type: io.kestra.plugin.jdbc.duckdb.Query
    inputFiles:
      squares.csv: "{{ outputs.csv.outputFiles['squares.csv'] }}"
    sql: SELECT sum(square) AS total, count(*) AS rows FROM read_csv_auto('{{ workingDir }}/squares.csv')
    fetchType: FETCH_ONE
`;

let work: string;
let home: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "saker-scripts-it-"));
  home = join(work, "home");
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("bundled scripts plugin, no install step", () => {
  it("lists scripts and JDBC as bundled on a fresh data folder", async () => {
    const listed = await runCli(["plugins", "list"], { home });
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/plugin-scripts[\s\S]*1\.0\.0 \(bundled\)/);
    expect(listed.stdout).toMatch(/plugin-jdbc[\s\S]*1\.0\.0 \(bundled\)/);
  }, 60_000);

  it("packs its Python helper for an installation from npm", () => {
    const out = execFileSync("npm", ["pack", join(ROOT, "plugins/scripts"), "--dry-run", "--json"], {
      encoding: "utf8",
    });
    const packed = (JSON.parse(out) as { files: { path: string }[] }[])[0]!;
    expect(packed.files.map((f) => f.path)).toContain("python/kestra.py");
  }, 60_000);

  it("runs a Python → shell → Node flow passing outputs and files", async () => {
    const file = join(work, "polyglot.yaml");
    writeFileSync(file, FLOW);
    const result = await runCli(["flow", "run", file, "--json"], { home });
    const execution = executionOf(result);
    expect(execution.state.current, result.stderr).toBe("SUCCESS");
    const outputs = Object.fromEntries(execution.taskRunList.map((t: any) => [t.taskId, t.outputs]));
    expect(outputs.py).toMatchObject({
      vars: { count: 5 },
      exitCode: 0,
      outputFiles: { "squares.txt": expect.stringMatching(/^kestra:\/\/\/company\/team\/polyglot\/executions\//) },
    });
    expect(outputs.sh).toMatchObject({ vars: { sum: 55 }, exitCode: 0 });
    expect(outputs.js).toMatchObject({ vars: { mean: 11 }, exitCode: 0 });
    expect(outputs.last).toEqual({ value: "11" });
    expect(outputs.csv.outputFiles["squares.csv"]).toMatch(/^kestra:\/\/\//);
    expect(outputs.duck.row).toEqual({ total: 55, rows: 5 });
    expect(execution.taskRunList.find((t: any) => t.taskId === "js").pluginVersion).toBe("@saker/plugin-scripts@1.0.0");
  }, 120_000);

  it("a failing script fails the run with its exit code and stderr", async () => {
    const file = join(work, "fails.yaml");
    writeFileSync(
      file,
      `id: fails\nnamespace: company.team\ntasks:\n  - id: boom\n    type: io.kestra.plugin.scripts.python.Script\n    script: |\n      import sys\n      print("bad input", file=sys.stderr)\n      sys.exit(2)\n`,
    );
    const result = await runCli(["flow", "run", file, "--json"], { home });
    const execution = executionOf(result);
    expect(execution.state.current).toBe("FAILED");
    expect(result.stderr).toContain("Command failed with exit code 2. Last lines of stderr:\nbad input");
  }, 120_000);
});
