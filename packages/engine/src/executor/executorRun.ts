/**
 * The working state of one executor transition: the execution it was given, which handlers
 * change in place, the commands and logs they produce, and helpers they share.
 */
import { errorMessage, isSakerError, isTerminated, type LogLevel, type Logger, type StateType } from "@saker/sdk";
import type { Execution, ResolvedTask, TaskNode, TaskRun } from "../model/execution.ts";
import type { FlowGraph } from "../flow/flowGraph.ts";
import { newState, withState } from "../model/state.ts";
import type { FlowableContext, NextTaskRun } from "../plugins/engineTypes.ts";
import { markChanged, taskRunIndex } from "../model/taskRunIndex.ts";
import { findTaskRun } from "./queries.ts";
import type { ExecutorCommand, ExecutorState, LogEntry } from "./types.ts";
import { referencedBy, type ReferencedVariables, type VariableSources } from "./variables.ts";

/** A new task run of `x` for `next`, CREATED. */
function newTaskRun(x: Execution, id: string, next: NextTaskRun, state: TaskRun["state"]): TaskRun {
  const taskRun: TaskRun = {
    id,
    executionId: x.id,
    namespace: x.namespace,
    flowId: x.flowId,
    taskId: next.task.id,
    outputs: null,
    state,
  };
  if (x.tenantId) taskRun.tenantId = x.tenantId;
  if (next.parentId) taskRun.parentTaskRunId = next.parentId;
  if (next.value !== undefined) taskRun.value = next.value;
  if (next.iteration !== undefined) taskRun.iteration = next.iteration;
  return taskRun;
}

export interface ExecutorDeps {
  now(): Date;
  newId(): string;
  /** Renders a template against variables (typed: the native value of a single expression). */
  render(template: string, variables: Record<string, unknown>, typed: boolean): Promise<unknown>;
  /** Renders every string inside a value. */
  renderValue(value: unknown, variables: Record<string, unknown>): Promise<unknown>;
  /**
   * Builds the variables of a render context (adds instance envs and globals). `decrypt`: SECRET
   * inputs in clear, for renders in memory; never for variables that get persisted (worker jobs).
   */
  variables(sources: VariableSources, decrypt: boolean): Record<string, unknown>;
  /** RUNNING and PAUSED executions of this flow, this one excluded (for `concurrency`). */
  countRunning(): number;
  /** Seals the strings of a value that hold a secret, before it goes into the execution (stored). */
  seal?<T>(value: T): T;
}

export class ExecutorRun {
  readonly x: Execution;
  readonly commands: ExecutorCommand[] = [];
  readonly logs: LogEntry[] = [];
  readonly dispatched: Set<string>;
  /** Bumped by every change; the transition loops until a pass changes nothing. */
  version = 0;

  constructor(
    readonly graph: FlowGraph,
    execution: Execution,
    readonly state: ExecutorState,
    readonly deps: ExecutorDeps,
  ) {
    this.x = execution;
    this.dispatched = new Set(state.dispatched);
  }

  now(): Date {
    return this.deps.now();
  }

  setExecutionState(next: StateType): void {
    if (this.x.state.current === next) return;
    this.x.state = withState(this.x.state, next, this.now());
    this.version++;
  }

  setTaskRunState(taskRun: TaskRun, next: StateType): void {
    if (taskRun.state.current === next) return;
    taskRun.state = withState(taskRun.state, next, this.now());
    this.touch(taskRun);
    // However a WorkingDirectory ends (done, failed, killed), its shared directory can go.
    if (isTerminated(next)) {
      const definition = this.definitionOf(taskRun);
      if (definition.kind === "flowable" && definition.workingDirectory)
        this.command({ type: "remove-working-directory", workingDirectoryId: taskRun.id });
    }
  }

  /** Adds a RUNNING attempt (an executor task run started again by a retry). */
  startAttempt(taskRun: TaskRun): void {
    (taskRun.attempts ??= []).push({ state: newState(this.now(), "RUNNING") });
    this.touch(taskRun);
  }

  /** Sets the last attempt's state, adding an attempt when there is none. */
  setLastAttemptState(taskRun: TaskRun, next: StateType): void {
    const attempts = taskRun.attempts ?? (taskRun.attempts = []);
    const last = attempts[attempts.length - 1];
    if (last) last.state = withState(last.state, next, this.now());
    else attempts.push({ state: newState(this.now(), next) });
    this.touch(taskRun);
  }

  /** `value` with the strings holding a secret sealed: outputs, labels and flow outputs are stored. */
  seal<T>(value: T): T {
    return this.deps.seal ? this.deps.seal(value) : value;
  }

  setOutputs(taskRun: TaskRun, outputs: Record<string, unknown> | null | undefined): void {
    if (outputs === undefined) return;
    taskRun.outputs = outputs === null ? null : this.seal(outputs);
    this.touch(taskRun);
  }

  /**
   * Records a change made in place to a task run of the execution (every change of one goes
   * through here): the index of the list follows it (see model/taskRunIndex.ts).
   */
  touch(taskRun: TaskRun): void {
    markChanged(this.x.taskRunList, taskRun);
    this.version++;
  }

  taskRun(id: string | undefined): TaskRun | undefined {
    return id === undefined ? undefined : findTaskRun(this.x, id);
  }

  task(taskRun: TaskRun): TaskNode {
    return this.graph.task(taskRun.taskId);
  }

  definitionOf(taskRun: TaskRun) {
    return this.graph.typeOf(this.task(taskRun)).definition;
  }

  command(command: ExecutorCommand): void {
    this.commands.push(command);
  }

  log(level: LogLevel, message: string, taskRun?: TaskRun): void {
    const entry: LogEntry = {
      namespace: this.x.namespace,
      flowId: this.x.flowId,
      executionId: this.x.id,
      level,
      message,
      timestamp: this.now().toISOString(),
      thread: "executor",
    };
    if (this.x.tenantId) entry.tenantId = this.x.tenantId;
    if (taskRun) {
      entry.taskId = taskRun.taskId;
      entry.taskRunId = taskRun.id;
      entry.attemptNumber = Math.max(0, (taskRun.attempts?.length ?? 1) - 1);
    }
    this.logs.push(entry);
  }

  /** Creates task runs for `nexts`, computing flowable outputs on creation; returns them. */
  async addTaskRuns(nexts: readonly NextTaskRun[]): Promise<TaskRun[]> {
    const created: TaskRun[] = [];
    for (const next of nexts) {
      const taskRun = newTaskRun(this.x, this.deps.newId(), next, newState(this.now()));
      this.x.taskRunList.push(taskRun);
      const definition = this.graph.typeOf(next.task).definition;
      if (definition.kind === "flowable") {
        try {
          taskRun.outputs = (await definition.computeOutputs?.(this.context(next.task, taskRun))) ?? {};
        } catch (error) {
          this.log("WARN", `Unable to save output on taskRun '${taskRun.id}': ${errorMessage(error)}`, taskRun);
          taskRun.outputs = {};
        }
      }
      created.push(taskRun);
    }
    if (created.length) {
      this.version++;
      if (this.x.state.current === "CREATED") {
        this.log("INFO", "Flow started");
        this.setExecutionState("RUNNING");
      }
    }
    return created;
  }

  variables(task?: TaskNode, taskRun?: TaskRun, decrypt = true, only?: ReferencedVariables): Record<string, unknown> {
    const of: VariableSources = { flow: this.graph.flow, execution: this.x };
    if (task) of.task = task;
    if (taskRun) of.taskRun = taskRun;
    if (only) of.only = only;
    return this.deps.variables(of, decrypt);
  }

  logger(taskRun?: TaskRun): Logger {
    const at =
      (level: LogLevel) =>
      (message: string, ...args: unknown[]) =>
        this.log(level, formatMessage(message, args), taskRun);
    return {
      trace: at("TRACE"),
      debug: at("DEBUG"),
      info: at("INFO"),
      warn: at("WARN"),
      error: at("ERROR"),
      log: (level, m, ...a) => at(level)(m, ...a),
    };
  }

  /** The context a flowable (or executor task) is resolved with. */
  context(task: TaskNode, taskRun: TaskRun): FlowableContext {
    // the outputs and task states built are those the rendered text can reach, not every task's
    const vars = (value: unknown, extra?: Record<string, unknown>) => {
      const built = this.variables(task, taskRun, true, referencedBy(value));
      // Object.assign: a spread of `built` followed by new keys is many times slower in V8
      return extra ? Object.assign({}, built, extra) : built;
    };
    return {
      flow: this.graph,
      execution: this.x,
      task,
      taskRun,
      now: this.now(),
      logger: this.logger(taskRun),
      // text without a tag renders as itself: its variables (every task's outputs) are not built
      render: async (template, extra) =>
        isPlainText(template) ? template : String(await this.deps.render(template, vars(template, extra), false)),
      renderTyped: (template, extra) => this.deps.render(template, vars(template, extra), true),
      renderValue: (value, extra) => this.deps.renderValue(value, vars(value, extra)),
      retryOf: (taskId) => this.graph.retryOf(taskId),
      newId: () => this.deps.newId(),
      resolve: (tasks, value) => resolveUnder(taskRun, tasks, value),
    };
  }

  result(): { execution: Execution; state: ExecutorState; commands: ExecutorCommand[]; logs: LogEntry[] } {
    // A key is kept while it can still match its task run (`taskRunId:attemptsBeforeDispatch`):
    // once the worker added an attempt, or the run is gone, it never can, so the list does not grow.
    const byId = taskRunIndex(this.x.taskRunList).byId;
    const dispatched = [...this.dispatched].filter((k) => {
      const at = k.lastIndexOf(":");
      const run = byId.get(k.slice(0, at));
      return run !== undefined && (run.attempts?.length ?? 0) <= Number(k.slice(at + 1));
    });
    return { execution: this.x, state: { ...this.state, dispatched }, commands: this.commands, logs: this.logs };
  }
}

const resolvedLists = new WeakMap<TaskRun, WeakMap<readonly TaskNode[], Map<string | undefined, ResolvedTask[]>>>();

/**
 * `tasks` resolved under a task run (and a value), the same list each time it is asked for the
 * same task list: answers about a resolved list are kept per list (see `findTaskRunsByTasks`).
 */
function resolveUnder(
  taskRun: TaskRun,
  tasks: readonly TaskNode[] | undefined,
  value: string | undefined,
): ResolvedTask[] | undefined {
  if (!tasks) return undefined;
  let byTasks = resolvedLists.get(taskRun);
  if (!byTasks) resolvedLists.set(taskRun, (byTasks = new WeakMap()));
  let byValue = byTasks.get(tasks);
  if (!byValue) byTasks.set(tasks, (byValue = new Map()));
  let resolved = byValue.get(value);
  if (!resolved) {
    resolved = tasks.map((t) => {
      const next: ResolvedTask = { task: t, parentId: taskRun.id };
      if (value !== undefined) next.value = value;
      return next;
    });
    byValue.set(value, resolved);
  }
  return resolved;
}

/** Text the expression engine gives back unchanged (it parses nothing without a `{`). */
function isPlainText(template: string): boolean {
  return !template.includes("{");
}

/** `{}` placeholders replaced by the arguments in order, as slf4j formats. */
export function formatMessage(message: string, args: readonly unknown[]): string {
  if (args.length === 0) return message;
  let i = 0;
  const text = message.replace(/\{\}/g, (m) => (i < args.length ? stringify(args[i++]) : m));
  const rest = args.slice(i).filter((a) => a instanceof Error);
  return rest.length ? `${text} ${rest.map((e) => errorMessage(e)).join(" ")}` : text;
}

function stringify(value: unknown): string {
  if (typeof value === "string") return value;
  if (value instanceof Error) return isSakerError(value) ? value.message : errorMessage(value);
  if (typeof value === "object" && value !== null) {
    try {
      return JSON.stringify(value);
    } catch {
      return String(value);
    }
  }
  return String(value);
}
