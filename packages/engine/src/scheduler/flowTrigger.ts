/**
 * What the executor asks of a Flow trigger when an execution changes state: does the execution
 * match the trigger's `states` and `conditions`, and does it complete the trigger's
 * `preconditions` (or legacy MultipleConditions) within their time windows? The window states are
 * passed in and handed back, keyed by precondition id, for the caller to persist.
 *
 * As in Kestra: windows only count executions that pass `states` and the plain conditions; a
 * condition that cannot be evaluated counts as false.
 */
import { TERMINATED_STATES } from "@saker/sdk";
import { viewExecution, type ExecutionView } from "../model/executionView.ts";
import { MULTIPLE_CONDITION_TYPE, MultipleConditionSchema, PreconditionsSchema } from "./flowTriggerSchema.ts";
import { preconditionEntries, type PreconditionEntry } from "./preconditions.ts";
import { advanceWindow, type TimeWindow, type WindowState } from "./timeWindow.ts";

type Node = Readonly<Record<string, unknown>>;

export interface FlowTriggerInput {
  /** The trigger as written in the listening flow (type ids already canonical). */
  trigger: Node;
  /** The upstream execution that changed state. */
  execution: Node;
  /** Tests conditions against the upstream execution (a ConditionContext's `test`). */
  test(conditions: readonly Node[]): Promise<boolean[]>;
  /** Renders an EXPRESSION filter against the upstream execution's variables. */
  render(template: string): Promise<string>;
  /** The persisted windows of this trigger, by precondition id. */
  windows: Readonly<Record<string, WindowState>>;
  now: Date;
  /** Zone of window boundaries (midnight, daily times). Default: the zone of this process. */
  zone?: string;
  /** Hears why a condition could not be evaluated. */
  onError?(message: string): void;
}

export interface FlowTriggerResult {
  /** Start an execution of the listening flow. */
  fire: boolean;
  /** The windows to persist (a missing id is to delete). */
  windows: Record<string, WindowState>;
}

function isMultiple(node: Node): boolean {
  return (
    node.type === MULTIPLE_CONDITION_TYPE || node.type === "io.kestra.core.models.conditions.types.MultipleCondition"
  );
}

/** Whether the execution's state is one the trigger listens to (every terminated state by default). */
export function matchesStates(trigger: Node, execution: ExecutionView): boolean {
  const states: readonly string[] = Array.isArray(trigger.states) ? trigger.states.map(String) : TERMINATED_STATES;
  return states.includes(execution.state);
}

async function safeTest(input: FlowTriggerInput, condition: Node): Promise<boolean> {
  try {
    return (await input.test([condition]))[0] === true;
  } catch (error) {
    input.onError?.(
      `condition ${String(condition.type)} could not be evaluated: ${error instanceof Error ? error.message : String(error)}`,
    );
    return false;
  }
}

/** Whether the execution passes `states` and every condition but the MultipleConditions. */
export async function matchesStatesAndConditions(input: FlowTriggerInput): Promise<boolean> {
  if (!matchesStates(input.trigger, viewExecution(input.execution))) return false;
  const conditions = (Array.isArray(input.trigger.conditions) ? input.trigger.conditions : []) as Node[];
  for (const condition of conditions.filter((c) => !isMultiple(c))) {
    if (!(await safeTest(input, condition))) return false;
  }
  return true;
}

interface WindowSpec {
  id: string;
  entries: PreconditionEntry[];
  timeWindow?: TimeWindow;
  resetOnSuccess: boolean;
}

function multipleConditionSpec(input: FlowTriggerInput, node: Node): WindowSpec | undefined {
  const parsed = MultipleConditionSchema.safeParse(node);
  if (!parsed.success) return undefined;
  const props = parsed.data;
  const timeWindow: TimeWindow = { ...(props.timeWindow ?? {}) };
  if (props.window !== undefined) timeWindow.window = props.window;
  if (props.windowAdvance !== undefined) timeWindow.windowAdvance = props.windowAdvance;
  const entries = Object.entries(props.conditions).map(([key, condition]) => ({
    key,
    test: () => safeTest(input, condition),
  }));
  return { id: props.id, entries, timeWindow, resetOnSuccess: props.resetOnSuccess };
}

function preconditionsSpec(node: unknown): WindowSpec | undefined {
  if (node === undefined) return undefined;
  const parsed = PreconditionsSchema.safeParse(node);
  if (!parsed.success) return undefined;
  const { id, timeWindow, resetOnSuccess } = parsed.data;
  return { id, entries: preconditionEntries(parsed.data), ...(timeWindow ? { timeWindow } : {}), resetOnSuccess };
}

async function metKeys(spec: WindowSpec, execution: ExecutionView, input: FlowTriggerInput): Promise<string[]> {
  const met: string[] = [];
  for (const entry of spec.entries) {
    try {
      if (await entry.test(execution, input.render)) met.push(entry.key);
    } catch (error) {
      input.onError?.(
        `precondition ${entry.key} of ${spec.id} could not be evaluated: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  return met;
}

/** Evaluates a Flow trigger for one upstream execution. */
export async function evaluateFlowTrigger(input: FlowTriggerInput): Promise<FlowTriggerResult> {
  const windows: Record<string, WindowState> = { ...input.windows };
  if (!(await matchesStatesAndConditions(input))) return { fire: false, windows };
  const execution = viewExecution(input.execution);
  const conditions = (Array.isArray(input.trigger.conditions) ? input.trigger.conditions : []) as Node[];
  const specs = conditions.filter(isMultiple).map((node) => multipleConditionSpec(input, node));
  const preconditions = preconditionsSpec(input.trigger.preconditions);
  if (specs.includes(undefined) || (input.trigger.preconditions !== undefined && !preconditions))
    return { fire: false, windows };
  let fire = true;
  for (const spec of [...(specs as WindowSpec[]), ...(preconditions ? [preconditions] : [])]) {
    if (spec.entries.length === 0) continue;
    const met = await metKeys(spec, execution, input);
    const result = advanceWindow({
      ...(spec.timeWindow ? { timeWindow: spec.timeWindow } : {}),
      resetOnSuccess: spec.resetOnSuccess,
      keys: spec.entries.map((e) => e.key),
      met,
      state: windows[spec.id],
      now: input.now,
      ...(input.zone ? { zone: input.zone } : {}),
    });
    if (result.state) windows[spec.id] = result.state;
    else delete windows[spec.id];
    fire &&= result.satisfied;
  }
  return { fire, windows };
}

/** The `trigger` variables of the execution a Flow trigger starts. */
export function flowTriggerVariables(execution: Node): Record<string, unknown> {
  const view = viewExecution(execution);
  return {
    executionId: view.id,
    namespace: view.namespace,
    flowId: view.flowId,
    ...(view.flowRevision !== undefined ? { flowRevision: view.flowRevision } : {}),
    state: view.state,
    ...(view.outputs ? { outputs: view.outputs } : {}),
  };
}
