// What the serdes benchmarks share: sizes from the environment, medians, writing a generated
// file, running a flow of serdes tasks on the embedded engine (time of each task run, CPU time,
// sizes of the stored outputs), and running each measurement in its own process (peak RSS is per
// process). Not a benchmark itself.
import { spawnSync } from "node:child_process";
import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** BENCH_ROWS, or the benchmark's default. */
export const rowsFromEnv = (fallback) => Number(process.env.BENCH_ROWS ?? fallback);
/** BENCH_RUNS, or the benchmark's default. */
export const runsFromEnv = (fallback) => Number(process.env.BENCH_RUNS ?? fallback);

export const mb = (bytes) => (bytes / 1024 / 1024).toFixed(0);
export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
export const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;
export const perSecond = (rows, ms) => Math.round(rows / (ms / 1000)).toLocaleString("en");
const peakRss = () => process.resourceUsage().maxRSS * 1024;

/** Writes `count` lines, `lineOf(i)` for i = 1…count (each ending with its own newline), minding backpressure. */
export async function writeLines(file, count, lineOf, { head = "", tail = "" } = {}) {
  const out = createWriteStream(file);
  if (head) out.write(head);
  for (let i = 1; i <= count; i++) if (!out.write(lineOf(i))) await new Promise((r) => out.once("drain", r));
  if (tail) out.write(tail);
  await new Promise((r) => out.end(r));
}

/**
 * Runs one flow on an embedded engine with the serdes plugin, `file` stored at
 * `kestra:///<storagePath>` first. Returns the wall time of each task run (`ms[taskId]`), their
 * outputs, the stored size of each output `uri` (`bytes[taskId]`) and the CPU time of the flow.
 */
export async function runFlow({ namespace, flowId = "convert", storagePath, file, flow, timeoutMs = 900_000 }) {
  const { loadConfig } = await import("../packages/engine/dist/runtime/config.js");
  const { Instance } = await import("../packages/engine/dist/runtime/instance.js");
  const { coreRegistry } = await import("../packages/engine/dist/runtime/registryLoader.js");
  const { toStoragePath } = await import("../packages/engine/dist/storage/paths.js");
  const serdes = (await import("../plugins/serdes/dist/index.js")).default;
  const home = mkdtempSync(join(tmpdir(), "saker-bench-serdes-"));
  const registry = coreRegistry();
  registry.addPlugin({ name: "@saker/plugin-serdes", version: "1.0.0", core: false }, serdes);
  const instance = await Instance.open(loadConfig({ env: {}, overrides: { home }, cwd: home }), { registry });
  try {
    await instance.storage.put(storagePath, file);
    await instance.deploy(flow);
    const cpuBefore = process.cpuUsage();
    const done = await instance.waitForEnd((await instance.createExecution(namespace, flowId)).id, timeoutMs);
    const cpu = process.cpuUsage(cpuBefore);
    if (done.state.current !== "SUCCESS") throw new Error(`the flow ended ${done.state.current}`);
    const ms = {};
    const outputs = {};
    const bytes = {};
    for (const run of done.taskRunList) {
      const h = run.state.histories;
      const start = h.find((s) => s.state === "RUNNING") ?? h[0];
      ms[run.taskId] = Date.parse(h.at(-1).date) - Date.parse(start.date);
      outputs[run.taskId] = run.outputs;
      if (typeof run.outputs?.uri === "string")
        bytes[run.taskId] = await instance.storage.size(toStoragePath(run.outputs.uri));
    }
    return { ms, outputs, bytes, cpuMs: (cpu.user + cpu.system) / 1000 };
  } finally {
    await instance.close();
    rmSync(home, { recursive: true, force: true });
  }
}

/**
 * The process structure of a benchmark. Started with a mode in `measures` (by the parent), runs that
 * measurement on the file given and prints its result with the peak RSS, returning true. Otherwise
 * returns false and the caller is the parent: see {@link measureRuns}.
 */
export async function childMeasure(measures) {
  const [mode, file] = process.argv.slice(2);
  if (!(mode in measures)) return false;
  console.log(JSON.stringify({ ...(await measures[mode](file)), rss: peakRss() }));
  return true;
}

/**
 * Runs each `[mode, file]` of `plan` `runs` times, each in a new process of `script` (the
 * benchmark's `import.meta.url`); the results by mode, in run order.
 */
export function measureRuns(script, plan, runs) {
  const results = Object.fromEntries(plan.map(([mode]) => [mode, []]));
  for (let i = 0; i < runs; i++)
    for (const [mode, file] of plan) {
      const r = spawnSync(process.execPath, [fileURLToPath(script), mode, file], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(`${mode} run failed: ${r.stderr}`);
      results[mode].push(JSON.parse(r.stdout.trim().split("\n").at(-1)));
    }
  return results;
}

/** A temporary folder for the generated files, removed after `body`. */
export async function withDataDir(body) {
  const dir = mkdtempSync(join(tmpdir(), "saker-bench-serdes-data-"));
  try {
    await body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
