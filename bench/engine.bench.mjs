#!/usr/bin/env node
// Engine benchmarks on the embedded backend (SQLite file + local storage, executor and workers in
// one process), end to end from submission to final state. Prints medians; not a test.
//   node bench/engine.bench.mjs          (after npm run build)
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../packages/engine/dist/runtime/config.js";
import { Instance } from "../packages/engine/dist/runtime/instance.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 7);

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

function tasks(n, indent = "  ") {
  return Array.from(
    { length: n },
    (_, i) =>
      `${indent}- id: t${i}\n${indent}  type: io.kestra.plugin.core.debug.Return\n${indent}  format: "{{ task.id }}"\n`,
  ).join("");
}

const FLOWS = {
  sequential: `id: sequential\nnamespace: bench\ntasks:\n${tasks(40)}`,
  parallel: `id: parallel\nnamespace: bench\ntasks:\n  - id: all\n    type: io.kestra.plugin.core.flow.Parallel\n    tasks:\n${tasks(40, "      ")}`,
  single: `id: single\nnamespace: bench\ntasks:\n${tasks(1)}`,
};

async function open() {
  const home = mkdtempSync(join(tmpdir(), "saker-bench-"));
  const started = performance.now();
  const instance = await Instance.open(loadConfig({ env: {}, overrides: { home }, cwd: home }));
  const openMs = performance.now() - started;
  for (const source of Object.values(FLOWS)) instance.deploy(source);
  return { instance, home, openMs };
}

async function runOnce(instance, flowId) {
  const started = performance.now();
  const execution = await instance.createExecution("bench", flowId);
  const ended = await instance.waitForEnd(execution.id, 60_000);
  if (ended.state.current !== "SUCCESS") throw new Error(`${flowId} ended ${ended.state.current}`);
  return performance.now() - started;
}

async function burst(instance, count) {
  const started = performance.now();
  const ids = [];
  for (let i = 0; i < count; i++) ids.push((await instance.createExecution("bench", "single")).id);
  await Promise.all(ids.map((id) => instance.waitForEnd(id, 120_000)));
  return performance.now() - started;
}

const { instance, home, openMs } = await open();
try {
  await runOnce(instance, "sequential");
  await runOnce(instance, "parallel");
  const results = [];
  for (const flowId of ["sequential", "parallel"]) {
    const times = [];
    for (let i = 0; i < RUNS; i++) times.push(await runOnce(instance, flowId));
    const m = median(times);
    results.push([`40 tasks, ${flowId}`, `${m.toFixed(1)} ms`, `${(m / 40).toFixed(2)} ms/task`]);
  }
  const bursts = [];
  for (let i = 0; i < 3; i++) bursts.push(await burst(instance, 100));
  const b = median(bursts);
  results.push(["100 one-task executions at once", `${b.toFixed(0)} ms`, `${(100_000 / b).toFixed(0)} executions/s`]);
  results.push(["instance open (start-up)", `${openMs.toFixed(1)} ms`, ""]);
  results.push(["peak RSS", `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`, ""]);
  const width = Math.max(...results.map((r) => r[0].length));
  console.log(`engine benchmarks (embedded SQLite backend, median of ${RUNS} runs)`);
  for (const [name, value, extra] of results) console.log(`  ${name.padEnd(width)}  ${value.padStart(10)}  ${extra}`);
} finally {
  await instance.close();
  rmSync(home, { recursive: true, force: true });
}
