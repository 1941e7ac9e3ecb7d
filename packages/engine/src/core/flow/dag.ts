import { SakerError, task, tasks, z } from "@saker/sdk";
import type { TaskNode } from "../../model/execution.ts";
import { defineFlowableTask } from "../../plugins/engineTypes.ts";
import { resolveDagNexts } from "../../executor/sequencing.ts";
import { ERRORS_DESCRIPTION, FINALLY_DESCRIPTION, sequencing } from "./common.ts";

interface DagTask {
  task: TaskNode;
  dependsOn?: string[];
}

function dagTasks(node: TaskNode): DagTask[] {
  return Array.isArray(node.tasks) ? (node.tasks as DagTask[]) : [];
}

const dagChildren = new WeakMap<TaskNode, TaskNode[]>();

/** The tasks of a Dag, the same list for the same definition (answers about a list are kept per list). */
function dagTaskNodes(node: TaskNode): TaskNode[] {
  let nodes = dagChildren.get(node);
  if (!nodes) dagChildren.set(node, (nodes = dagTasks(node).map((t) => t.task)));
  return nodes;
}

/** Unknown `dependsOn` ids, and tasks that depend on themselves through a cycle. */
export function dagProblems(node: TaskNode): string[] {
  const entries = dagTasks(node);
  const ids = new Set(entries.map((e) => e.task?.id));
  const problems: string[] = [];
  const unknown = entries.flatMap((e) => e.dependsOn ?? []).filter((d) => !ids.has(d));
  if (unknown.length) problems.push(`Some task doesn't exists on task '${node.id}': ${unknown.join(", ")}`);
  const deps = new Map(entries.map((e) => [e.task?.id, e.dependsOn ?? []]));
  const cyclic = entries
    .map((e) => e.task?.id)
    .filter((id): id is string => typeof id === "string")
    .filter((id) => {
      const seen = new Set<string>();
      const stack = [...(deps.get(id) ?? [])];
      while (stack.length) {
        const next = stack.pop()!;
        if (next === id) return true;
        if (seen.has(next)) continue;
        seen.add(next);
        stack.push(...(deps.get(next) ?? []));
      }
      return false;
    });
  if (cyclic.length) problems.push(`Infinite loop detected on task '${node.id}': ${cyclic.join(", ")}`);
  return problems;
}

export const Dag = defineFlowableTask({
  type: "io.kestra.plugin.core.flow.Dag",
  title: "Run tasks as a directed acyclic graph",
  description: "Each task starts once every task in its `dependsOn` has ended; independent tasks run in parallel.",
  properties: z.object({
    tasks: z
      .array(
        z.object({
          task: task().describe("The task."),
          dependsOn: z.array(z.string()).optional().describe("Ids of tasks that must end first."),
        }),
      )
      .min(1)
      .describe("The tasks with their dependencies."),
    concurrent: z.number().int().min(0).default(0).describe("How many tasks run at once; 0 means no limit."),
    errors: tasks().optional().describe(ERRORS_DESCRIPTION),
    finally: tasks().optional().describe(FINALLY_DESCRIPTION),
  }),
  validate: dagProblems,
  topology: (task) => ({ kind: "cluster", relationType: "DYNAMIC", dag: dagTasks(task) }),
  childTasks: async (ctx) => ctx.resolve(dagTaskNodes(ctx.task)),
  async resolveNexts(ctx) {
    const problems = dagProblems(ctx.task);
    if (problems.length) throw new SakerError("DAG_INVALID", problems.join("; "));
    const dependsOn = new Map(dagTasks(ctx.task).map((t) => [t.task.id, t.dependsOn ?? []]));
    return resolveDagNexts(
      sequencing(ctx, ctx.resolve(dagTaskNodes(ctx.task))),
      Number(ctx.task.concurrent ?? 0),
      dependsOn,
    );
  },
});
