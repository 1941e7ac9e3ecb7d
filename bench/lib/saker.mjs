// The embedded engine as the benchmarks drive it: open a data folder, deploy flows, start
// executions and wait for their end. The only file of bench/ that knows the engine's in-process
// API (packages/engine/dist): when that API changes, adapt this file and the benchmarks follow.
import { loadConfig } from "../../packages/engine/dist/runtime/config.js";
import { Instance } from "../../packages/engine/dist/runtime/instance.js";

/** `n` sequential `Return` tasks (YAML lines under `tasks:`), indented by `indent`. */
export function returnTasks(n, indent = "  ") {
  let out = "";
  for (let i = 0; i < n; i++)
    out += `${indent}- id: t${i}\n${indent}  type: io.kestra.plugin.core.debug.Return\n${indent}  format: "{{ task.id }}"\n`;
  return out;
}

/** A flow of `n` sequential `Return` tasks. */
export const sequentialFlow = (id, n, namespace = "bench") =>
  `id: ${id}\nnamespace: ${namespace}\ntasks:\n${returnTasks(n)}`;

/**
 * Opens the engine in `home`, executor and worker started: on the embedded SQLite file by default,
 * on PostgreSQL with `database: { type: "postgres", url }` (the storage stays local in `home`).
 * `roles` (`{ executor, worker, scheduler }`) are passed to `Instance.open`.
 */
export async function openSaker(home, { database, roles = {} } = {}) {
  const started = performance.now();
  const overrides = database ? { home, database } : { home };
  const instance = await Instance.open(loadConfig({ env: {}, overrides, cwd: home }), roles);
  const openMs = performance.now() - started;
  // Every end, recorded once: waiting on thousands of executions costs one listener, not thousands.
  const ended = new Map();
  const waiters = new Map();
  // Where the work stands, for a case stopped by its time limit: task runs of the execution that
  // changed last, and executions ended so far.
  const progress = { taskRuns: 0, ended: 0 };
  instance.events.on("execution", (x) => (progress.taskRuns = x.taskRunList?.length ?? 0));
  const record = (id, state) => {
    progress.ended++;
    ended.set(id, state);
    const waiter = waiters.get(id);
    if (waiter) {
      waiters.delete(id);
      waiter(state);
    }
  };
  instance.events.on("execution:end", (x) => {
    if (x.state) return record(x.id, x.state.current);
    // ended in another process, its notification reduced to ids (too large for NOTIFY): read back
    instance.getExecution(x.id).then((stored) => record(x.id, stored.state.current));
  });
  // Every end since the open is recorded above: no read of the store (a read per execution
  // would be the harness's own load, counted against the engine).
  const endOf = (id) =>
    new Promise((resolve) => {
      if (ended.has(id)) return resolve(ended.get(id));
      waiters.set(id, resolve);
    });
  return {
    openMs,
    progress,
    deploy: (source) => instance.deploy(source),
    /** Creates an execution; resolves with its id once it is queued. */
    start: async (namespace, flowId) => (await instance.createExecution(namespace, flowId)).id,
    /** Resolves with the final state of each execution. */
    endOf,
    /** One execution from submission to its end; throws unless it ends in SUCCESS. */
    async run(namespace, flowId) {
      const t0 = performance.now();
      const id = (await instance.createExecution(namespace, flowId)).id;
      const state = await endOf(id);
      if (state !== "SUCCESS") throw new Error(`${namespace}.${flowId} ended ${state}`);
      ended.delete(id);
      return performance.now() - t0;
    },
    /** `count` executions submitted at once; ms from the first submission to the last end. */
    async burst(namespace, flowId, count) {
      const t0 = performance.now();
      const ids = await Promise.all(
        Array.from({ length: count }, () => instance.createExecution(namespace, flowId).then((x) => x.id)),
      );
      const states = await Promise.all(ids.map(endOf));
      const ms = performance.now() - t0;
      const bad = states.filter((s) => s !== "SUCCESS");
      if (bad.length) throw new Error(`${bad.length} of ${count} executions did not succeed (${bad[0]})`);
      for (const id of ids) ended.delete(id);
      return ms;
    },
    /** Each role's state and counters (as /health shows them). */
    status: () => instance.status(),
    close: () => instance.close(),
  };
}
