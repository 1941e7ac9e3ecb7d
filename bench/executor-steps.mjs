#!/usr/bin/env node
// The executor alone (packages/engine/dist, no database, no queue, no worker): one working copy
// changed in place from step to step as the runtime drives it, each worker job answered at once.
// Prints the executor's milliseconds per task run at each size, and how they grow. Not a test.
//   node bench/executor-steps.mjs seq 40 640 5000      node bench/executor-steps.mjs foreach 1000 10000
const ROOT = process.env.ENGINE_DIST ?? new URL("../packages/engine/dist/", import.meta.url).pathname;
const { transition } = await import(`${ROOT}executor/transition.js`);
const { buildRunVariables } = await import(`${ROOT}executor/variables.js`);
// flow/ since the engine-frame step; model/ in older builds (ENGINE_DIST)
const fromFlow = (file) => import(`${ROOT}flow/${file}`).catch(() => import(`${ROOT}model/${file}`));
const { compileFlowGraph } = await fromFlow("flowGraph.js");
const { parseFlow } = await fromFlow("parseFlow.js");
const { newState } = await import(`${ROOT}model/state.js`);
const { coreRegistry } = await import(`${ROOT}runtime/registryLoader.js`);
const { defaultEngine } = await import(`${ROOT}expression/index.js`);

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
  const registry = coreRegistry();
  const graph = compileFlowGraph({ ...parseFlow(source, { registry }), revision: 1 }, registry);
  let ids = 0;
  const execution = {
    id: "x",
    namespace: graph.flow.namespace,
    flowId: graph.flow.id,
    flowRevision: 1,
    taskRunList: [],
    labels: [],
    state: newState(new Date()),
    originalId: "x",
    deleted: false,
    metadata: { attemptNumber: 1, originalCreatedDate: new Date().toISOString() },
  };
  const deps = {
    now: () => new Date(),
    newId: () => `tr${++ids}`,
    render: (template, variables, typed) => defaultEngine.renderAsync(template, variables, { typed }),
    renderValue: (value, variables) => defaultEngine.renderValueAsync(value, variables),
    variables: buildRunVariables,
    countRunning: () => 0,
  };
  let state = { dispatched: [] };
  let events = [{ type: "process" }];
  let ms = 0;
  while (events.length && ms < limitMs) {
    const t0 = performance.now();
    const result = await transition(graph, execution, state, events, deps);
    ms += performance.now() - t0;
    state = result.state;
    const job = result.commands.find((c) => c.type === "run-task")?.job;
    const date = new Date().toISOString();
    events = job
      ? [
          { type: "worker-started", taskRunId: job.taskRunId, attempt: job.attempt, date },
          {
            type: "worker-result",
            taskRunId: job.taskRunId,
            attempt: job.attempt,
            attemptState: "SUCCESS",
            state: "SUCCESS",
            outputs: { value: "v" },
            date,
          },
        ]
      : [];
  }
  return { ms, runs: execution.taskRunList.length, state: execution.state.current };
}

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
