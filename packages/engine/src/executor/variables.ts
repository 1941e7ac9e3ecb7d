/**
 * The variables an expression sees, built from the flow, the execution and the task run as
 * Kestra's `RunVariables` builds them.
 */
import type { Execution, TaskNode, TaskRun } from "../model/execution.ts";
import { inputLeavesOf, type Flow } from "../model/flow.ts";
import { setKey } from "../expression/evaluator.ts";
import { Lru } from "../model/lru.ts";
import { ReferenceCollector } from "../expression/references.ts";
import { findParents, taskRunIndex } from "../model/taskRunIndex.ts";
import { nestDotted } from "../model/nestDotted.ts";

export interface VariableSources {
  flow: Flow;
  execution?: Execution;
  task?: TaskNode;
  taskRun?: TaskRun;
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

const ofTemplates = new Lru<string, ReferencedVariables>(1000);

/** What a value to render (a template, or a value holding templates) can reach; templates are kept in an LRU. */
export function referencedBy(value: unknown): ReferencedVariables {
  if (typeof value === "string") {
    let known = ofTemplates.get(value);
    if (!known) {
      const collector = new ReferenceCollector();
      collector.addString(value);
      ofTemplates.set(value, (known = collector.reached));
    }
    return known;
  }
  if (typeof value === "object" && value !== null) return referencedVariables(value);
  return { outputs: new Set(), tasks: new Set() };
}

/** Adds the strings of a value (a task definition), its texts and its map keys, to `into`. */
function collectStrings(value: unknown, into: ReferenceCollector): void {
  if (into.saturated) return;
  if (typeof value === "string") into.addString(value);
  else if (Array.isArray(value)) for (const item of value) collectStrings(item, into);
  else if (typeof value === "object" && value !== null)
    for (const [key, item] of Object.entries(value)) {
      into.addString(key);
      collectStrings(item, into);
    }
}

/**
 * The `outputs.<id>` and `tasks.<id>` entries the texts of a task definition can reach, as their
 * parsed templates say (see `ReferenceCollector`). Kept per definition object: a flow revision's
 * task objects are compiled once, so each task's templates are walked once per revision.
 */
export function referencedVariables(task: object, ...more: unknown[]): ReferencedVariables {
  const cacheable = more.every((m) => m === undefined);
  const known = cacheable ? referenced.get(task) : undefined;
  if (known) return known;
  const collector = new ReferenceCollector();
  collectStrings(task, collector);
  collectStrings(more, collector);
  const result: ReferencedVariables = collector.reached;
  if (cacheable) referenced.set(task, result);
  return result;
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
 * The runs of the tasks named (every run for "all"), each task's in list order: a worker job
 * naming a few tasks costs their runs, not the whole execution.
 */
function runsOf(execution: Execution, only: "all" | ReadonlySet<string>): Iterable<TaskRun> {
  if (only === "all") return execution.taskRunList;
  const byTask = taskRunIndex(execution.taskRunList).byTask;
  const runs: TaskRun[] = [];
  for (const id of only) for (const run of byTask.get(id) ?? []) runs.push(run);
  return runs;
}

/**
 * `outputs.*`: each task run's outputs under its task id, nested under the values of its
 * iterative ancestors (root first), then its own value.
 */
export function executionOutputs(execution: Execution, only: "all" | ReadonlySet<string> = "all"): Tree {
  if (only !== "all" && only.size === 0) return {};
  const byId = taskRunIndex(execution.taskRunList).byId;
  let result: Tree = {};
  for (const run of runsOf(execution, only)) {
    if (run.outputs === null || run.outputs === undefined) continue;
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
  for (const run of runsOf(execution, only)) {
    if (run.value === undefined) tasks[run.taskId] = { state: run.state.current };
    else {
      // the maps are this function's own: filled in place, not copied at each run (a long loop's runs)
      const found = tasks[run.taskId];
      const existing: Tree = isTree(found) ? found : (tasks[run.taskId] = {});
      setKey(existing, run.value, { state: run.state.current });
    }
  }
  return tasks;
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
  // the optional keys last, in this order: `{{ taskrun }}` prints them so
  const vars: Tree = {
    id: taskRun.id,
    startDate: taskRun.state.startDate,
    attemptsCount: taskRun.attempts?.length ?? 0,
  };
  if (taskRun.parentTaskRunId) vars.parentId = taskRun.parentTaskRunId;
  if (taskRun.value !== undefined) vars.value = taskRun.value;
  if (taskRun.iteration !== undefined) vars.iteration = taskRun.iteration;
  return vars;
}

/** The `flow` variable (its keys in this order, with or without a revision). */
function flowVariables(flow: VariableSources["flow"], tenantId: string): Tree {
  return flow.revision === undefined
    ? { id: flow.id, namespace: flow.namespace, tenantId }
    : { id: flow.id, namespace: flow.namespace, revision: flow.revision, tenantId };
}

/** What the instance gives every render. */
export interface InstanceVariables {
  /** `envs.*`: instance environment variables with the prefix stripped, lower-cased. */
  envs?: Record<string, string>;
  /** `globals.*` from the instance configuration. */
  globals?: Record<string, unknown>;
  /**
   * The instance's tenant, for `flow.tenantId` when the flow has none: Kestra 1.x open source
   * runs every flow in tenant `main`.
   */
  tenantId?: string;
}

const NO_INSTANCE: InstanceVariables = {};

/** The variables of a render context. */
export function buildRunVariables(sources: VariableSources, instance: InstanceVariables = NO_INSTANCE): Tree {
  const { flow, execution, task, taskRun } = sources;
  const vars: Tree = {
    envs: instance.envs ?? {},
    globals: instance.globals ?? {},
    flow: flowVariables(flow, flow.tenantId ?? instance.tenantId ?? DEFAULT_TENANT),
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
    const inputs: Tree = Object.assign({}, execution.inputs);
    for (const input of inputLeavesOf(flow.inputs)) {
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
