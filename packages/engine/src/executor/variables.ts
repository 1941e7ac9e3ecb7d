/**
 * The variables an expression sees, built from the flow, the execution and the task run as
 * Kestra's `RunVariables` builds them.
 */
import type { Execution, TaskNode, TaskRun } from "../model/execution.ts";
import { inputLeaves, type Flow } from "../model/flow.ts";
import { findParents, taskRunIndex } from "./queries.ts";

export interface VariableSources {
  flow: Flow;
  execution?: Execution;
  task?: TaskNode;
  taskRun?: TaskRun;
  /** `envs.*`: instance environment variables with the prefix stripped, lower-cased. */
  envs?: Record<string, string>;
  /** `globals.*` from the instance configuration. */
  globals?: Record<string, unknown>;
  /**
   * The instance's tenant, for `flow.tenantId` when the flow has none: Kestra 1.x open source
   * runs every flow in tenant `main`.
   */
  tenantId?: string;
  /** Added last, on top of everything. */
  extra?: Record<string, unknown>;
  /**
   * The task ids whose `outputs.*` and `tasks.*` entries are built (see `referencedVariables`);
   * all of them when absent.
   */
  only?: ReferencedVariables;
}

/** Which entries of `outputs` and `tasks` some text can reach: "all", or these task ids. */
export interface ReferencedVariables {
  outputs: "all" | ReadonlySet<string>;
  tasks: "all" | ReadonlySet<string>;
}

const referenced = new WeakMap<object, ReferencedVariables>();

/** The strings of a value (a task definition): its texts and its map keys. */
function collectStrings(value: unknown, into: string[]): void {
  if (typeof value === "string") into.push(value);
  else if (Array.isArray(value)) for (const item of value) collectStrings(item, into);
  else if (typeof value === "object" && value !== null)
    for (const [key, item] of Object.entries(value)) {
      into.push(key);
      collectStrings(item, into);
    }
}

/**
 * The `outputs.<id>` and `tasks.<id>` entries the texts of a task definition can reach: the ids
 * named after a dot or as a quoted key in brackets. Any other use of the word (`outputs` alone,
 * `outputs[expr]`), a `render` of some other text, `printContext()`/`fetchContext()` (the whole
 * context) reach them all; `tasksWithState()` reaches every `tasks` entry. Kept per definition object.
 */
export function referencedVariables(task: object, ...more: unknown[]): ReferencedVariables {
  const cacheable = more.every((m) => m === undefined);
  const known = cacheable ? referenced.get(task) : undefined;
  if (known) return known;
  const texts: string[] = [];
  collectStrings(task, texts);
  collectStrings(more, texts);
  const outputs = new Set<string>();
  const tasks = new Set<string>();
  let allOutputs = false;
  let allTasks = false;
  for (const text of texts) {
    // functions that read the whole context, or `tasks` without naming it
    if (/\b(render|printContext|fetchContext)/.test(text)) allOutputs = allTasks = true;
    if (/\btasksWithState\b/.test(text)) allTasks = true;
    if (!allOutputs && !idsAfter(text, "outputs", outputs)) allOutputs = true;
    if (!allTasks && !idsAfter(text, "tasks", tasks)) allTasks = true;
    if (allOutputs && allTasks) break;
  }
  const result: ReferencedVariables = { outputs: allOutputs ? "all" : outputs, tasks: allTasks ? "all" : tasks };
  if (cacheable) referenced.set(task, result);
  return result;
}

/** Adds the ids named after each `word` in `text`; false when one use names none. */
function idsAfter(text: string, word: string, ids: Set<string>): boolean {
  const pattern = new RegExp(`\\b${word}\\b`, "g");
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    const rest = text.slice(match.index + word.length);
    const dotted = /^\s*\.\s*([\w-]+)/.exec(rest);
    const bracketed = /^\s*\[\s*(['"])([^'"]*)\1\s*\]/.exec(rest);
    const id = dotted?.[1] ?? bracketed?.[2];
    if (id === undefined) return false;
    ids.add(id);
    // `outputs.a-b` may be read as `outputs.a - b`
    const head = /^\w+/.exec(id)?.[0];
    if (head !== undefined) ids.add(head);
  }
  return true;
}

type Tree = Record<string, unknown>;

/** The tenant of Kestra's open-source edition since 0.23, which has no other. */
export const DEFAULT_TENANT = "main";

function isTree(value: unknown): value is Tree {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function deepMerge(target: Tree, source: Tree): Tree {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    target[key] = isTree(existing) && isTree(value) ? deepMerge({ ...existing }, value) : value;
  }
  return target;
}

/**
 * `outputs.*`: each task run's outputs under its task id, nested under the values of its
 * iterative ancestors (root first), then its own value.
 */
export function executionOutputs(execution: Execution, only: "all" | ReadonlySet<string> = "all"): Tree {
  if (only !== "all" && only.size === 0) return {};
  const byId = taskRunIndex(execution.taskRunList).byId;
  let result: Tree = {};
  for (const run of execution.taskRunList) {
    if (run.outputs === null || run.outputs === undefined) continue;
    if (only !== "all" && !only.has(run.taskId)) continue;
    const values: string[] = [];
    for (let p = run.parentTaskRunId; p !== undefined;) {
      const parent = byId.get(p);
      if (!parent) break;
      if (parent.value !== undefined) values.unshift(parent.value);
      p = parent.parentTaskRunId;
    }
    if (run.value !== undefined) values.push(run.value);
    let leaf: unknown = run.outputs;
    for (let i = values.length - 1; i >= 0; i--) leaf = { [values[i]!]: leaf };
    result = deepMerge(result, { [run.taskId]: leaf });
  }
  return result;
}

/** `parents`: the ancestors with a value or outputs, nearest first. */
export function executionParents(execution: Execution, taskRun: TaskRun): Tree[] {
  const result: Tree[] = [];
  for (const parent of findParents(execution, taskRun).reverse()) {
    const entry: Tree = {};
    if (parent.value !== undefined) entry.taskrun = { value: parent.value };
    if (parent.outputs && Object.keys(parent.outputs).length > 0) entry.outputs = parent.outputs;
    if (Object.keys(entry).length > 0) result.push(entry);
  }
  return result;
}

/** `tasks.*`: `{taskId: {state}}`, or `{taskId: {value: {state}}}` under iterative tasks. */
export function executionTaskStates(execution: Execution, only: "all" | ReadonlySet<string> = "all"): Tree {
  const tasks: Tree = {};
  if (only !== "all" && only.size === 0) return tasks;
  for (const run of execution.taskRunList) {
    if (only !== "all" && !only.has(run.taskId)) continue;
    if (run.value === undefined) tasks[run.taskId] = { state: run.state.current };
    else {
      const existing = isTree(tasks[run.taskId]) ? (tasks[run.taskId] as Tree) : {};
      tasks[run.taskId] = { ...existing, [run.value]: { state: run.state.current } };
    }
  }
  return tasks;
}

/** Nests dotted input ids: `{"a.b": 1}` → `{a: {b: 1}}`. */
export function nestDotted(values: Record<string, unknown>): Tree {
  const result: Tree = {};
  for (const [key, value] of Object.entries(values)) {
    const parts = key.split(".");
    let node = result;
    for (const part of parts.slice(0, -1)) {
      if (!isTree(node[part])) node[part] = {};
      node = node[part] as Tree;
    }
    node[parts[parts.length - 1]!] = value;
  }
  return result;
}

/**
 * `labels.*`: key → value, the first wins. As in Kestra, `system.x` labels appear as
 * `labels.system.x` (from the first system label only).
 */
function labelsMap(execution: Execution): Tree {
  const labels: Tree = {};
  for (const { key, value } of execution.labels) {
    if (key === undefined || value === undefined) continue;
    const system = key.startsWith("system.") ? key.slice("system.".length) : undefined;
    const name = system === undefined ? key : "system";
    if (name in labels) continue;
    labels[name] = system === undefined ? value : { [system]: value };
  }
  return labels;
}

/** The `taskrun` variable of a task run (also `workerTaskrun`, a WorkingDirectory's, for its tasks). */
export function taskRunVariables(taskRun: TaskRun): Tree {
  return {
    id: taskRun.id,
    startDate: taskRun.state.startDate,
    attemptsCount: taskRun.attempts?.length ?? 0,
    ...(taskRun.parentTaskRunId ? { parentId: taskRun.parentTaskRunId } : {}),
    ...(taskRun.value !== undefined ? { value: taskRun.value } : {}),
    ...(taskRun.iteration !== undefined ? { iteration: taskRun.iteration } : {}),
  };
}

export function buildRunVariables(sources: VariableSources): Tree {
  const { flow, execution, task, taskRun } = sources;
  const vars: Tree = {
    envs: sources.envs ?? {},
    globals: sources.globals ?? {},
    flow: {
      id: flow.id,
      namespace: flow.namespace,
      ...(flow.revision !== undefined ? { revision: flow.revision } : {}),
      tenantId: flow.tenantId ?? sources.tenantId ?? DEFAULT_TENANT,
    },
  };
  // SetVariables and UnsetVariables give the execution its own `vars`, replacing the flow's.
  const declared = execution?.variables ?? flow.variables;
  if (declared) vars.vars = declared;
  if (task) vars.task = { id: task.id, type: task.type };
  if (taskRun) vars.taskrun = taskRunVariables(taskRun);
  if (execution) {
    if (taskRun) {
      const parents = executionParents(execution, taskRun);
      vars.parents = parents;
      if (parents.length > 0) vars.parent = parents[0];
    }
    vars.execution = {
      id: execution.id,
      startDate: execution.state.startDate,
      originalId: execution.originalId,
      state: execution.state.current,
    };
    vars.outputs = executionOutputs(execution, sources.only?.outputs);
    vars.tasks = executionTaskStates(execution, sources.only?.tasks);
    const inputs: Tree = { ...(execution.inputs ?? {}) };
    for (const input of inputLeaves(flow.inputs)) {
      if (input.defaults !== undefined && !(input.id in inputs) && !(input.id.split(".")[0]! in inputs)) {
        Object.assign(inputs, nestDotted({ [input.id]: input.defaults }));
      }
    }
    if (Object.keys(inputs).length > 0) vars.inputs = inputs;
    if (execution.trigger?.variables) vars.trigger = execution.trigger.variables;
    vars.labels = labelsMap(execution);
  }
  if (sources.extra) Object.assign(vars, sources.extra);
  return vars;
}
