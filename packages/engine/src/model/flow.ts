import type { Label, TaskNode } from "./execution.ts";

/** A flow input, as declared (`type` decides how values are parsed and checked). */
export interface InputDefinition {
  id: string;
  type: string;
  description?: string;
  displayName?: string;
  required?: boolean;
  defaults?: unknown;
  dependsOn?: { inputs?: string[]; condition?: string };
  [property: string]: unknown;
}

export interface FlowOutputDefinition {
  id: string;
  type: string;
  value: unknown;
  description?: string;
  displayName?: string;
  required?: boolean;
  itemType?: string;
}

export interface PluginDefault {
  type: string;
  forced?: boolean;
  values: Record<string, unknown>;
}

export interface Concurrency {
  limit: number;
  behavior: "QUEUE" | "CANCEL" | "FAIL";
}

/** Any node with a `type`: a task, a trigger, a condition. */
export interface PluginNode {
  id?: string;
  type: string;
  version?: string;
  [property: string]: unknown;
}

/** A flow as written, after aliases and plugin defaults were applied. */
export interface Flow {
  id: string;
  namespace: string;
  revision?: number;
  tenantId?: string;
  description?: string;
  labels?: Label[];
  inputs?: InputDefinition[];
  outputs?: FlowOutputDefinition[];
  variables?: Record<string, unknown>;
  tasks: TaskNode[];
  errors?: TaskNode[];
  finally?: TaskNode[];
  afterExecution?: TaskNode[];
  triggers?: PluginNode[];
  pluginDefaults?: PluginDefault[];
  concurrency?: Concurrency;
  retry?: Record<string, unknown>;
  sla?: FlowSla[];
  disabled?: boolean;
  deleted?: boolean;
  [property: string]: unknown;
}

/** One flow-level SLA (Kestra's `sla`), labels normalised to a list. */
export interface FlowSla {
  id: string;
  type: "MAX_DURATION" | "EXECUTION_ASSERTION";
  behavior: "FAIL" | "CANCEL" | "NONE";
  labels?: Label[];
  /** MAX_DURATION: an ISO-8601 duration. */
  duration?: string;
  /** EXECUTION_ASSERTION: violated when this renders false. */
  assert?: string;
}

/** `namespace/id`, the way messages name a flow. */
export function flowRef(flow: { namespace: string; id: string }): string {
  return `${flow.namespace}/${flow.id}`;
}

const NONE: readonly never[] = Object.freeze([]);

/**
 * `compute` of a definitions list, worked out once per list (a flow revision's, never changed once
 * parsed: the executor and the renders read it at every step). Read-only: not to be changed.
 */
function oncePerList<T>(
  compute: (definitions: readonly InputDefinition[]) => T[],
): (definitions: readonly InputDefinition[] | undefined) => readonly T[] {
  const computed = new WeakMap<readonly InputDefinition[], readonly T[]>();
  return (definitions) => {
    if (!definitions || definitions.length === 0) return NONE;
    let result = computed.get(definitions);
    if (!result) computed.set(definitions, (result = Object.freeze(compute(definitions))));
    return result;
  };
}

/** {@link inputLeaves}, once per definitions list (see oncePerList). */
export const inputLeavesOf = oncePerList(inputLeaves);

/** The SECRET inputs among {@link inputLeavesOf} (inside FORMs too), once per definitions list. */
export const secretInputLeavesOf = oncePerList((definitions) =>
  inputLeavesOf(definitions).filter((input) => input.type === "SECRET"),
);

/** The ids of {@link secretInputLeavesOf}, once per definitions list. */
export const secretInputIdsOf = oncePerList((definitions) =>
  secretInputLeavesOf(definitions).map((input) => input.id!),
);

/**
 * The inputs that hold values: a FORM is replaced by its inputs, each under the dotted id
 * `form.input` (so its value is `inputs.form.input`). `dependsOn` keeps the ids as written.
 */
export function inputLeaves(definitions: readonly InputDefinition[] | undefined): InputDefinition[] {
  const leaves: InputDefinition[] = [];
  for (const definition of definitions ?? []) {
    const id = definition.id ?? (definition.name as string);
    if (definition.type !== "FORM") leaves.push({ ...definition, id });
    else
      for (const child of (definition.inputs as InputDefinition[] | undefined) ?? [])
        leaves.push({ ...child, id: `${id}.${child.id ?? (child.name as string)}` });
  }
  return leaves;
}
