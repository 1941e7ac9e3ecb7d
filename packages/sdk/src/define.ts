/**
 * `defineTask`, `defineTrigger`, `defineCondition` and `definePlugin`: how a plugin declares its
 * types. Each returns a frozen descriptor; the engine reads validation, JSON Schema and docs from it.
 *
 * @module
 */
import type { z } from "zod";
import type { RunContext, RunInfo, Logger } from "./runContext.ts";
import type { StateType } from "./state.ts";

/** An example shown in the docs: a complete flow (or a fragment) using the type. */
export interface PluginExample {
  title: string;
  /** YAML; `full: true` when it is a whole flow. */
  code: string;
  full?: boolean;
}

/** What every plugin type declares besides its behaviour. */
export interface PluginTypeInfo {
  /** The type id used in flows, e.g. `io.kestra.plugin.core.log.Log`. */
  type: string;
  /** Older type ids that resolve to this one. */
  aliases?: readonly string[];
  /** One line. */
  title: string;
  /** Markdown. */
  description?: string;
  examples?: readonly PluginExample[];
  /** An SVG document or a data URI. */
  icon?: string;
  deprecated?: boolean;
  beta?: boolean;
}

type PropertiesSchema = z.ZodObject;

const FINAL_STATE = Symbol.for("saker.task.finalState");

/** A task result that also sets the task run's final state (e.g. `WARNING` when a script wrote to stderr). */
export interface TaskOutcome<O> {
  readonly [FINAL_STATE]: StateType;
  readonly outputs: O;
}

/** Ends the task with `state` instead of SUCCESS, keeping `outputs`. */
export function withFinalState<O>(state: "SUCCESS" | "WARNING" | "FAILED", outputs: O): TaskOutcome<O> {
  return { [FINAL_STATE]: state, outputs };
}

/** Reads {@link withFinalState}'s marker from a task's return value. */
export function readTaskOutcome(value: unknown): { state?: StateType; outputs: unknown } {
  if (value && typeof value === "object" && FINAL_STATE in value) {
    const outcome = value as TaskOutcome<unknown>;
    return { state: outcome[FINAL_STATE], outputs: outcome.outputs };
  }
  return { outputs: value };
}

export interface TaskOptions<P extends PropertiesSchema, O extends z.ZodType> extends PluginTypeInfo {
  /** The task's own properties (the common ones, `id`, `retry`, `timeout`…, are added by the engine). */
  properties: P;
  /** The outputs `run` returns, for the docs and for validation. */
  outputs?: O;
  /**
   * Run this task in a worker thread that is terminated on timeout or kill, for CPU-bound or
   * untrusted code. The task's module must then be importable on its own.
   */
  isolated?: boolean;
  run(
    props: z.output<P>,
    ctx: RunContext,
  ): Promise<z.input<O> | TaskOutcome<z.input<O>>> | z.input<O> | TaskOutcome<z.input<O>>;
}

export interface TaskDefinition<
  P extends PropertiesSchema = PropertiesSchema,
  O extends z.ZodType = z.ZodType,
> extends Readonly<Omit<TaskOptions<P, O>, "outputs">> {
  readonly kind: "task";
  readonly outputs: O | undefined;
}

/** Declares a runnable task. */
export function defineTask<P extends PropertiesSchema, O extends z.ZodType = z.ZodObject>(
  options: TaskOptions<P, O>,
): TaskDefinition<P, O> {
  return Object.freeze({ ...options, kind: "task" as const, outputs: options.outputs });
}

/** What a trigger's evaluation sees. */
export interface TriggerContext extends Pick<
  RunContext,
  | "render"
  | "renderTyped"
  | "renderValue"
  | "secret"
  | "signal"
  | "storage"
  | "kv"
  | "pluginConfiguration"
  | "workingDir"
  | "refusedAddresses"
> {
  readonly flow: RunInfo["flow"];
  readonly trigger: { readonly id: string; readonly type: string };
  readonly logger: Logger;
  /** When this trigger last created an execution (ISO), if ever. */
  readonly lastDate?: string;
}

/** What a trigger produces: the variables of one new execution (`{{ trigger.* }}`). */
export interface TriggerEvent {
  variables: Record<string, unknown>;
  /** Files the event stored, already under `kestra://`. */
  labels?: Record<string, string>;
  /**
   * A polling trigger's: called once the execution the event starts is stored, and never when
   * the engine starts none (the trigger disabled meanwhile, the scheduler stopping, a failed
   * commit). Where the trigger moves its own cursor on (messages seen), so that what it reported
   * is not lost when no execution was stored. It runs after the evaluation's working directory is
   * removed (use `kv()` and such, not files); a failure, or no answer within a minute, is logged
   * on the trigger. A commit whose outcome is unknown (the connection lost during `COMMIT`) may
   * have stored the execution without this being called: what the trigger reported then comes
   * again (at least once).
   */
  onStarted?: () => Promise<void>;
}

export type TriggerKind =
  /** Evaluated every `interval`; may create one execution per evaluation. */
  | "polling"
  /** Holds a connection open and creates an execution per message. */
  | "realtime"
  /** Handled by the engine itself (Schedule, Webhook, Flow). */
  | "engine";

export interface TriggerOptions<P extends PropertiesSchema, O extends z.ZodType> extends PluginTypeInfo {
  triggerKind: TriggerKind;
  properties: P;
  outputs?: O;
  /** `polling`: checks once; resolves an event to start an execution, or undefined for none. */
  evaluate?(props: z.output<P>, ctx: TriggerContext): Promise<TriggerEvent | undefined>;
  /** `realtime`: listens until `ctx.signal` aborts, calling `emit` per event. */
  listen?(props: z.output<P>, ctx: TriggerContext, emit: (event: TriggerEvent) => Promise<void>): Promise<void>;
}

export interface TriggerDefinition<
  P extends PropertiesSchema = PropertiesSchema,
  O extends z.ZodType = z.ZodType,
> extends Readonly<Omit<TriggerOptions<P, O>, "outputs">> {
  readonly kind: "trigger";
  readonly outputs: O | undefined;
}

/** Declares a trigger. */
export function defineTrigger<P extends PropertiesSchema, O extends z.ZodType = z.ZodObject>(
  options: TriggerOptions<P, O>,
): TriggerDefinition<P, O> {
  return Object.freeze({ ...options, kind: "trigger" as const, outputs: options.outputs });
}

/** What a condition sees: the flow, and the execution or trigger event being tested. */
export interface ConditionContext {
  readonly flow: { readonly id: string; readonly namespace: string };
  /** The execution that ended (Flow triggers) or the one being created. */
  readonly execution?: Readonly<Record<string, unknown>>;
  /** The variables expressions see (`trigger.date`, `execution.*`…). */
  readonly variables: Readonly<Record<string, unknown>>;
  render(template: string, extra?: Record<string, unknown>): Promise<string>;
  renderTyped(template: string, extra?: Record<string, unknown>): Promise<unknown>;
  /** Tests nested conditions (for `Not` and `Or`). */
  test(conditions: readonly Record<string, unknown>[]): Promise<boolean[]>;
}

export interface ConditionOptions<P extends PropertiesSchema> extends PluginTypeInfo {
  properties: P;
  test(props: z.output<P>, ctx: ConditionContext): Promise<boolean> | boolean;
}

export interface ConditionDefinition<P extends PropertiesSchema = PropertiesSchema> extends Readonly<
  ConditionOptions<P>
> {
  readonly kind: "condition";
}

/** Declares a condition. */
export function defineCondition<P extends PropertiesSchema>(options: ConditionOptions<P>): ConditionDefinition<P> {
  return Object.freeze({ ...options, kind: "condition" as const });
}

/**
 * An expression filter, function or test added by a plugin. `args` holds the call's arguments by
 * parameter name (positional arguments are mapped onto `params` in order).
 */
export interface ExpressionExtension {
  params?: readonly string[];
  call(input: unknown, args: Record<string, unknown>): unknown;
}

/** A task definition of any property shape. */
export type AnyTaskDefinition = TaskDefinition<z.ZodObject, z.ZodType>;
/** A trigger definition of any property shape. */
export type AnyTriggerDefinition = TriggerDefinition<z.ZodObject, z.ZodType>;
/** A condition definition of any property shape. */
export type AnyConditionDefinition = ConditionDefinition<z.ZodObject>;

export interface PluginOptions {
  /** Type ids under this prefix are documented as one group, e.g. `io.kestra.plugin.jdbc`. */
  group?: string;
  title?: string;
  description?: string;
  /** The group's icon in Kestra's UI: an SVG document or a data URI (types may have their own `icon`). */
  icon?: string;
  tasks?: readonly AnyTaskDefinition[];
  triggers?: readonly AnyTriggerDefinition[];
  conditions?: readonly AnyConditionDefinition[];
  filters?: Readonly<Record<string, ExpressionExtension>>;
  functions?: Readonly<Record<string, ExpressionExtension>>;
}

export interface PluginDefinition extends Readonly<PluginOptions> {
  readonly kind: "plugin";
}

/** The default export of a plugin package: every type it provides. */
export function definePlugin(options: PluginOptions): PluginDefinition {
  return Object.freeze({ ...options, kind: "plugin" as const });
}
