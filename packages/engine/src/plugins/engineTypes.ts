/**
 * The engine-only extension of the plugin contract. Flowable tasks (Sequential, If, ForEach…)
 * are resolved by the executor, never on a worker; executor tasks (Labels, Subflow) change the
 * execution itself. Third-party plugins only define runnable tasks (`defineTask` in the SDK).
 */
import type {
  AnyConditionDefinition,
  AnyTaskDefinition,
  AnyTriggerDefinition,
  Logger,
  PluginOptions,
  PluginTypeInfo,
  StateType,
  z,
} from "@saker/sdk";
import type { Execution, Label, ResolvedTask, TaskNode, TaskRun } from "../model/execution.ts";
import type { Flow } from "../model/flow.ts";
import type { RetryPolicy } from "../model/retry.ts";

/** A task run to create: a resolved task, with an iteration for loops. */
export interface NextTaskRun extends ResolvedTask {
  iteration?: number;
}

/** What a flowable sees while the executor resolves it. */
export interface FlowableContext {
  /**
   * The compiled flow (the executor passes its `FlowGraph`); a flowable reads only the flow's
   * definition, which keeps this contract free of the compiler in flow/ (that compiler needs the
   * registry, and the registry holds these definitions).
   */
  readonly flow: { readonly flow: Flow };
  readonly execution: Execution;
  readonly task: TaskNode;
  readonly taskRun: TaskRun;
  readonly now: Date;
  readonly logger: Logger;
  /** Renders with the task run's variables, `extra` on top. */
  render(template: string, extra?: Record<string, unknown>): Promise<string>;
  renderTyped(template: string, extra?: Record<string, unknown>): Promise<unknown>;
  renderValue(value: unknown, extra?: Record<string, unknown>): Promise<unknown>;
  /** The task's own retry policy (for "will it be retried?"). */
  retryOf(taskId: string): RetryPolicy | undefined;
  /** A new FriendlyId (for child executions). */
  newId(): string;
  /** Tasks as children of this task run. */
  resolve(tasks: readonly TaskNode[] | undefined, value?: string): ResolvedTask[] | undefined;
}

/** What a flowable's `resolveState` may answer besides a state: wait, then run the children again. */
export interface ContinueLater {
  continueAt: number;
  outputs: Record<string, unknown>;
}

/** How a topology view draws a flowable task (Kestra's `tasksTree`). */
export type FlowableTopology =
  /** A plain task node (a Pause without tasks). */
  | { readonly kind: "task" }
  /**
   * A cluster holding the task node, then each branch in turn (`value` labels a branch's first
   * edge, e.g. `then`); `dag` replaces the branches for a Dag. The `errors` branch is added from
   * the definition's errorTasks.
   */
  | {
      readonly kind: "cluster";
      readonly relationType: "SEQUENTIAL" | "PARALLEL" | "CHOICE" | "DYNAMIC";
      readonly branches?: readonly {
        readonly tasks: readonly TaskNode[];
        readonly parallel?: boolean;
        readonly value?: string;
      }[];
      readonly dag?: readonly { readonly task: TaskNode; readonly dependsOn?: readonly string[] }[];
    };

export interface FlowableDefinition<P extends z.ZodObject = z.ZodObject> extends PluginTypeInfo {
  readonly kind: "flowable";
  readonly properties: P;
  readonly outputs?: z.ZodType;
  /** The children this task run follows now (may render, e.g. If's condition); undefined for none. */
  childTasks(ctx: FlowableContext): Promise<ResolvedTask[] | undefined>;
  /** The task's `errors` branch (default: its `errors` property). */
  errorTasks?(task: TaskNode): TaskNode[] | undefined;
  /** The task runs to create now. */
  resolveNexts(ctx: FlowableContext): Promise<NextTaskRun[]>;
  /** The task run's state once its children allow a conclusion (default: Kestra's resolveState). */
  resolveState?(ctx: FlowableContext): Promise<StateType | ContinueLater | undefined>;
  /** Outputs computed when the task run is created and when it ends. */
  computeOutputs?(ctx: FlowableContext): Promise<Record<string, unknown> | undefined>;
  /** For a PAUSED task run: when to resume it automatically, and in which state. */
  pauseDelay?(ctx: FlowableContext): Promise<{ at: number; state: StateType } | undefined>;
  /** A paused task run is resumed (by a delay or the API): its new state and outputs. */
  resumed?(
    task: TaskNode,
    state: StateType,
    onResumeInputs?: Record<string, unknown>,
  ): { state: StateType; outputs?: Record<string, unknown> };
  /** Checks the task beyond its schema (e.g. a Dag without cycles); returns the problems. */
  validate?(task: TaskNode): string[];
  /** Children share one working directory on the worker (WorkingDirectory). */
  readonly workingDirectory?: boolean;
  /** Children the task makes up itself rather than declares (ForEachItem's split, items, merge). */
  syntheticTasks?(task: TaskNode): TaskNode[];
  /** How a topology view draws the task; by default a SEQUENTIAL cluster of its `tasks`. */
  topology?(task: TaskNode): FlowableTopology;
}

/** A request to start a child execution (Subflow, ForEachItem). */
export interface SubflowRequest {
  /** The id the child execution gets (chosen by the executor, so outputs can name it at once). */
  executionId: string;
  namespace: string;
  flowId: string;
  revision?: number;
  inputs: Record<string, unknown>;
  labels: Label[];
  wait: boolean;
  transmitFailed: boolean;
  scheduleDate?: string;
  /** ForEachItem: which batch this child handles. */
  iteration?: number;
  /**
   * A restarted parent's Subflow with `restartBehavior: RETRY_FAILED`: the child it started
   * before. A failed child is restarted rather than a new one created; one that did not fail
   * gives its result again; a child that no longer exists is replaced by a new execution.
   */
  restartOf?: string;
  /** ForEachItem's counterpart of `restartOf`: the child this task run started for the same `iteration`. */
  restartIteration?: boolean;
}

export interface ExecutorTaskOutcome {
  state: StateType;
  outputs?: Record<string, unknown>;
  /** Replaces the execution's labels. */
  labels?: Label[];
  /** Child executions to create; the task stays RUNNING until they end when `wait` is set. */
  subflows?: SubflowRequest[];
  /** Replaces the execution-scoped variables (`vars`). */
  variables?: Record<string, unknown>;
  /** Ends the execution in this state (Exit); `state` is then the task run's own. */
  exit?: StateType;
}

/** A task the executor runs itself, at dispatch time. */
export interface ExecutorTaskDefinition<P extends z.ZodObject = z.ZodObject> extends PluginTypeInfo {
  readonly kind: "executor";
  readonly properties: P;
  readonly outputs?: z.ZodType;
  execute(ctx: FlowableContext): Promise<ExecutorTaskOutcome>;
  /** Checks the task beyond its schema; returns the problems. */
  validate?(task: TaskNode): string[];
  /** A child execution ended: the parent task run's state and outputs (Subflow). */
  onSubflowEnded?(
    ctx: FlowableContext,
    child: Execution,
  ): Promise<{ state: StateType; outputs: Record<string, unknown> } | undefined>;
}

/** Declares a flowable task (engine-only). */
export function defineFlowableTask<P extends z.ZodObject>(
  definition: Omit<FlowableDefinition<P>, "kind">,
): FlowableDefinition<P> {
  return Object.freeze({ ...definition, kind: "flowable" as const });
}

/** Declares a task the executor runs itself (engine-only). */
export function defineExecutorTask<P extends z.ZodObject>(
  definition: Omit<ExecutorTaskDefinition<P>, "kind">,
): ExecutorTaskDefinition<P> {
  return Object.freeze({ ...definition, kind: "executor" as const });
}

/** A task of any kind: runnable (the SDK's), flowable or executor (engine-only). */
export type EngineTaskDefinition = AnyTaskDefinition | FlowableDefinition | ExecutorTaskDefinition;

/** `definePlugin`'s options, with the engine-only task kinds allowed: the core plugin's shape. */
export interface EnginePluginOptions extends Omit<PluginOptions, "tasks" | "triggers" | "conditions"> {
  tasks: readonly EngineTaskDefinition[];
  triggers: readonly AnyTriggerDefinition[];
  conditions: readonly AnyConditionDefinition[];
}

export interface EnginePluginDefinition extends Readonly<EnginePluginOptions> {
  readonly kind: "plugin";
}

/** Declares a plugin that may hold engine-only task kinds (the core plugin). */
export function defineEnginePlugin(options: EnginePluginOptions): EnginePluginDefinition {
  return Object.freeze({ ...options, kind: "plugin" as const });
}
