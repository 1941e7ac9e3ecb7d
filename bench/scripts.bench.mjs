#!/usr/bin/env node
// Script task benchmarks after Windmill's published orchestrator benchmark: 40 sequential
// lightweight Python tasks (fibo(10)) and 10 sequential long ones (fibo(33)), each a
// python.Script on the embedded backend (SQLite file + local storage, executor and workers in one
// process, the scripts plugin registered), end to end from submission to final state. Beside
// each: the floor, the same Python launches in a bare shell loop. Prints medians; not a test.
//   node bench/scripts.bench.mjs          (after npm run build)
// PATH is given the real interpreter's folder first, for both sides: a pyenv shim costs a bash
// start per launch, which is not what is measured here (its cost is printed too).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { loadConfig } from "../packages/engine/dist/runtime/config.js";
import { Instance } from "../packages/engine/dist/runtime/instance.js";
import { coreRegistry } from "../packages/engine/dist/runtime/registryLoader.js";
import scripts from "../plugins/scripts/dist/index.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const LONG_RUNS = Number(process.env.BENCH_LONG_RUNS ?? 3);

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const shimmed = execFileSync("sh", ["-c", "command -v python3"], { encoding: "utf8" }).trim();
const python = execFileSync("python3", ["-c", "import sys; print(sys.executable)"], { encoding: "utf8" }).trim();
process.env.PATH = `${dirname(python)}:${process.env.PATH}`;

const fibo = (n) => `def fibo(n):\n    return n if n <= 1 else fibo(n - 1) + fibo(n - 2)\nprint(fibo(${n}))\n`;

function flowOf(id, count, n) {
  const body = fibo(n)
    .split("\n")
    .map((l) => `      ${l}`)
    .join("\n");
  const tasks = Array.from(
    { length: count },
    (_, i) => `  - id: t${i}\n    type: io.kestra.plugin.scripts.python.Script\n    script: |\n${body}\n`,
  ).join("");
  return `id: ${id}\nnamespace: bench\ntasks:\n${tasks}`;
}

/** The same launches in a bare shell loop: `count` times `python3 script.py`. */
function floor(dir, count, n, interpreter = "python3") {
  const file = join(dir, `fibo${n}.py`);
  writeFileSync(file, fibo(n));
  const started = performance.now();
  execFileSync("sh", ["-c", `i=0; while [ $i -lt ${count} ]; do ${interpreter} ${file} > /dev/null; i=$((i+1)); done`]);
  return performance.now() - started;
}

async function runOnce(instance, flowId) {
  const started = performance.now();
  const execution = await instance.createExecution("bench", flowId);
  const ended = await instance.waitForEnd(execution.id, 600_000);
  if (ended.state.current !== "SUCCESS") throw new Error(`${flowId} ended ${ended.state.current}`);
  return performance.now() - started;
}

const home = mkdtempSync(join(tmpdir(), "saker-bench-scripts-"));
const registry = coreRegistry();
registry.addPlugin({ name: "@saker/plugin-scripts", version: "bench", core: false }, scripts);
const instance = await Instance.open(loadConfig({ env: {}, overrides: { home }, cwd: home }), { registry });
try {
  await instance.deploy(flowOf("light", 40, 10));
  await instance.deploy(flowOf("long", 10, 33));
  await runOnce(instance, "light");
  const rows = [];
  const measure = async (flowId, count, n, runs) => {
    const engine = [];
    const bare = [];
    for (let i = 0; i < runs; i++) {
      bare.push(floor(home, count, n));
      engine.push(await runOnce(instance, flowId));
    }
    const e = median(engine);
    const f = median(bare);
    const best = (Math.min(...engine) - Math.min(...bare)) / count;
    rows.push([
      `${count} × fibo(${n}), python.Script`,
      `${e.toFixed(0)} ms`,
      `floor ${f.toFixed(0)} ms`,
      `overhead ${((e - f) / count).toFixed(1)} ms/task (best runs: ${best.toFixed(1)})`,
    ]);
  };
  await measure("light", 40, 10, RUNS);
  await measure("long", 10, 33, LONG_RUNS);
  if (shimmed !== python)
    rows.push([`40 × fibo(10) floor through ${shimmed}`, `${floor(home, 40, 10, shimmed).toFixed(0)} ms`, "", ""]);
  const width = Math.max(...rows.map((r) => r[0].length));
  console.log(
    `script task benchmarks (${python}; embedded SQLite backend; median of ${RUNS} light / ${LONG_RUNS} long runs; load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores)`,
  );
  for (const [name, value, floorText, extra] of rows)
    console.log(`  ${name.padEnd(width)}  ${value.padStart(9)}  ${floorText.padEnd(16)}  ${extra}`);
} finally {
  await instance.close();
  rmSync(home, { recursive: true, force: true });
}
