#!/usr/bin/env node
// The executor alone (packages/engine/dist, no database, no queue, no worker): one working copy
// changed in place from step to step as the runtime drives it, each worker job answered at once.
// Prints the executor's milliseconds per task run at each size, and how they grow. Not a test.
//   node bench/executor-steps.mjs seq 40 640 5000      node bench/executor-steps.mjs foreach 1000 10000
const ROOT = process.env.ENGINE_DIST ?? new URL("../packages/engine/dist/", import.meta.url).pathname;
// the executor driver tests use (testing/simulate): one execution changed in place, as the runtime does
const { simulate } = await import(`${ROOT}testing/simulate.js`);

const ret = (id, indent, format) =>
  `${indent}- id: ${id}\n${indent}  type: io.kestra.plugin.core.debug.Return\n${indent}  format: "${format}"\n`;
const flows = {
  seq: (n) =>
    `id: seq\nnamespace: bench\ntasks:\n${Array.from({ length: n }, (_, i) => ret(`t${i}`, "  ", "{{ task.id }}")).join("")}`,
  foreach: (n) =>
    `id: each\nnamespace: bench\ntasks:\n  - id: each\n    type: io.kestra.plugin.core.flow.ForEach\n` +
    `    values: '${JSON.stringify(Array.from({ length: n }, (_, i) => i + 1))}'\n    tasks:\n` +
    ret("inner", "      ", "{{ taskrun.value }}"),
};

async function drive(source, limitMs) {
  let ms = 0;
  let steps = 0;
  const sim = await simulate(source, {
    inPlace: true,
    maxRounds: 1_000_000,
    aroundStep: async (step) => {
      if (ms >= limitMs) throw new StepLimit();
      const t0 = performance.now();
      const result = await step();
      ms += performance.now() - t0;
      steps++;
      return result;
    },
  }).catch((error) => {
    if (error instanceof StepLimit) return undefined;
    throw error;
  });
  if (!steps) throw new Error(`${ROOT}testing/simulate.js has no aroundStep option (an older build)`);
  return { ms, runs: sim?.execution.taskRunList.length ?? NaN, state: sim?.execution.state.current ?? "RUNNING" };
}

class StepLimit extends Error {}

const [mode = "seq", ...sizes] = process.argv.slice(2);
const limitMs = Number(process.env.LIMIT_MS ?? 60_000);
await drive(flows[mode](20), limitMs); // warm-up
for (const n of sizes.map(Number)) {
  const r = await drive(flows[mode](n), limitMs);
  const ended = r.state === "SUCCESS" ? "" : ` (stopped at ${limitMs / 1000} s, ${r.state})`;
  console.log(
    `${mode} ${n}: ${r.runs} task runs, executor ${r.ms.toFixed(0)} ms, ${(r.ms / r.runs).toFixed(3)} ms/task run${ended}`,
  );
}
