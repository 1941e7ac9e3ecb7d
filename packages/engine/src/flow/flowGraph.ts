/**
 * A flow compiled for the executor: every task by id, its parent, its plugin type and version,
 * and its retry policy. Task ids are unique across the whole flow (validation checks it).
 */
import { SakerError } from "@saker/sdk";
import type { PluginRegistry, RegisteredType } from "../plugins/registry.ts";
import { collectPluginNodes } from "../plugins/schemaWalk.ts";
import type { TaskNode } from "../model/execution.ts";
import { flowRef, type Flow } from "../model/flow.ts";
import { compileRetry, type RetryPolicy } from "../model/retry.ts";

export interface FlowGraph {
  readonly flow: Flow;
  readonly registry: PluginRegistry;
  /** The task with this id; throws when the flow has none. */
  task(id: string): TaskNode;
  findTask(id: string): TaskNode | undefined;
  /** The flowable task holding `id`, undefined at the root. */
  parent(id: string): TaskNode | undefined;
  /** The plugin type (and version) the task resolved to. */
  typeOf(task: TaskNode): RegisteredType;
  /** The task's own retry policy. */
  retryOf(taskId: string): RetryPolicy | undefined;
  /** The policy that applies to a failed task: its own, the nearest ancestor's, then the flow's. */
  effectiveRetryOf(taskId: string): RetryPolicy | undefined;
  /** True for tasks of an `errors` branch (the flow's or a flowable's), children included. */
  isErrorBranch(taskId: string): boolean;
  /** Every task of the flow, parents before children. */
  allTasks(): readonly TaskNode[];
  /** Where the task is written in the flow YAML (`tasks[0].tasks[1]`). */
  pathOf(taskId: string): string | undefined;
}

interface Entry {
  task: TaskNode;
  parent: TaskNode | undefined;
  type: RegisteredType;
  retry: RetryPolicy | undefined;
  errorBranch: boolean;
  path: string;
}

/** Compiles `flow` against the registry; throws a SakerError for an unknown type or version. */
export function compileFlowGraph(flow: Flow, registry: PluginRegistry): FlowGraph {
  const entries = new Map<string, Entry>();
  const order: TaskNode[] = [];
  const visit = (task: TaskNode, parent: TaskNode | undefined, errorBranch: boolean, path: string) => {
    let type: RegisteredType;
    try {
      type = registry.resolve(task.type, task.version);
    } catch (error) {
      throw error instanceof SakerError ? error.withLocation({ flow: flowRef(flow), taskId: task.id, path }) : error;
    }
    entries.set(task.id, { task, parent, type, retry: compileRetry(task.retry), errorBranch, path });
    order.push(task);
    const definition = type.definition;
    if (definition.kind !== "flowable" && definition.kind !== "executor") return;
    const errorTasks = new Set<unknown>(
      definition.kind === "flowable" ? (definition.errorTasks?.(task) ?? asTasks(task.errors)) : [],
    );
    for (const found of collectPluginNodes(definition.properties, task)) {
      if (found.kind !== "task") continue;
      const child = found.node as TaskNode;
      visit(child, task, errorBranch || errorTasks.has(child), `${path}.${found.path}`);
    }
    if (definition.kind === "flowable")
      for (const child of definition.syntheticTasks?.(task) ?? []) visit(child, task, errorBranch, path);
  };
  flow.tasks.forEach((t, i) => visit(t, undefined, false, `tasks[${i}]`));
  (flow.errors ?? []).forEach((t, i) => visit(t, undefined, true, `errors[${i}]`));
  (flow.finally ?? []).forEach((t, i) => visit(t, undefined, false, `finally[${i}]`));
  (flow.afterExecution ?? []).forEach((t, i) => visit(t, undefined, false, `afterExecution[${i}]`));
  const flowRetry = compileRetry(flow.retry);

  const entry = (id: string): Entry => {
    const e = entries.get(id);
    if (!e) throw new SakerError("TASK_NOT_FOUND", `no task '${id}' in flow '${flowRef(flow)}'`);
    return e;
  };
  return {
    flow,
    registry,
    task: (id) => entry(id).task,
    findTask: (id) => entries.get(id)?.task,
    parent: (id) => entry(id).parent,
    typeOf: (task) => entry(task.id).type,
    retryOf: (id) => entries.get(id)?.retry,
    effectiveRetryOf(id) {
      for (let e: Entry | undefined = entries.get(id); e; e = e.parent ? entries.get(e.parent.id) : undefined) {
        if (e.retry) return e.retry;
      }
      return flowRetry;
    },
    isErrorBranch: (id) => entries.get(id)?.errorBranch ?? false,
    allTasks: () => order,
    pathOf: (id) => entries.get(id)?.path,
  };
}

function asTasks(value: unknown): TaskNode[] {
  return Array.isArray(value) ? (value as TaskNode[]) : [];
}
