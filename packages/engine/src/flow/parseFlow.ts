/**
 * From flow YAML to a validated `Flow`: YAML syntax, plugin defaults, the flow's own schema,
 * every plugin node against its plugin's schema (nested ones too), id rules, duplicates, inputs.
 * Every problem is reported at once, each with its YAML path and line.
 *
 * `parseFlowAsync` does the same without holding the event loop: a large source is parsed in a
 * worker thread and validated plugin node by plugin node, yielding every few milliseconds.
 */
import { SakerError, isSakerError, z } from "@saker/sdk";
import { COMMON_TASK_KEYS } from "../plugins/properties.ts";
import type { PluginRegistry, RegisteredType } from "../plugins/registry.ts";
import { formatPath, validateValue, type ValidationIssue } from "../plugins/validateValue.ts";
import type { TaskNode } from "../model/execution.ts";
import type { Flow, PluginDefault } from "../model/flow.ts";
import {
  COMMON_TASK_SHAPE,
  COMMON_TRIGGER_SHAPE,
  FLOW_INPUT_TYPES,
  FlowSchema,
  inputSchema,
  SLA_REQUIRED,
} from "../model/flowSchema.ts";
import { applyPluginDefaults } from "../model/pluginDefaults.ts";
import { dataLimits, withinSizeLimits } from "../model/dataLimits.ts";
import { parseYamlSourceAsync } from "../model/yamlOffThread.ts";
import { parseYamlSource } from "../model/yamlSource.ts";
import { normaliseLabels } from "../model/sourceLabels.ts";

export interface ParseFlowOptions {
  registry: PluginRegistry;
  /** Instance-wide defaults, applied after the flow's own. */
  globalDefaults?: readonly PluginDefault[];
  /** Names the source in messages (a file path). */
  sourceName?: string;
}

export interface LocatedIssue extends ValidationIssue {
  line?: number;
  column?: number;
}

const COMMON_CONDITION_SHAPE = { type: z.string(), version: z.string().optional(), description: z.string().optional() };

/**
 * A plugin node waiting to be validated. Each node's problems go to its own `entries`, where a
 * nested node leaves its own `NodeWork` and a task its id: flattened in order, they give the
 * problems in document order whatever order the nodes were validated in.
 */
interface NodeWork {
  kind: keyof typeof SHAPES;
  node: Record<string, unknown>;
  path: (string | number)[];
  entries: Entry[];
}

type Entry = ValidationIssue | { work: NodeWork } | { taskId: string; path: (string | number)[] };

interface Context {
  registry: PluginRegistry;
  /** The flow's own problems (and its plugin nodes' places). */
  issues: Entry[];
  /** Plugin nodes found and not validated yet. */
  queue: NodeWork[];
  flow: { namespace?: unknown; id?: unknown };
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const SHAPES = {
  task: COMMON_TASK_SHAPE,
  trigger: COMMON_TRIGGER_SHAPE,
  condition: COMMON_CONDITION_SHAPE,
  taskRunner: COMMON_CONDITION_SHAPE,
};

/** Queues a plugin node found while validating the node that owns `entries`. */
function deferNode(ctx: Context, entries: Entry[]) {
  return (found: { kind: keyof typeof SHAPES; node: Record<string, unknown>; path: (string | number)[] }): void => {
    const work: NodeWork = { kind: found.kind, node: found.node, path: found.path, entries: [] };
    entries.push({ work });
    ctx.queue.push(work);
  };
}

function validateNode(ctx: Context, work: NodeWork): void {
  const { kind, node, path, entries } = work;
  const type = node.type;
  if (typeof type !== "string" || type.trim() === "") {
    entries.push({ path: [...path, "type"], message: "is required" });
    return;
  }
  let registered: RegisteredType;
  try {
    registered = ctx.registry.resolve(type, typeof node.version === "string" ? node.version : undefined);
  } catch (error) {
    entries.push({
      path: [...path, isSakerError(error) && error.code.startsWith("PLUGIN_VERSION") ? "version" : "type"],
      message: isSakerError(error) ? error.reason : String(error),
    });
    return;
  }
  const wanted = kind === "taskRunner" ? "task" : kind;
  if (registered.nodeKind !== wanted) {
    entries.push({ path: [...path, "type"], message: `'${type}' is a ${registered.nodeKind}, not a ${wanted}` });
    return;
  }
  if (kind === "task" && typeof node.id === "string") entries.push({ taskId: node.id, path });
  const definition = registered.definition;
  const schema = z.object({ ...SHAPES[kind], ...(definition.properties.shape as z.ZodRawShape) });
  // validateValue only appends problems; the places of nested nodes go in between.
  validateValue(schema, node, path, entries as ValidationIssue[], {
    onPluginNode: deferNode(ctx, entries),
    extraKeys: kind === "task" ? COMMON_TASK_KEYS : undefined,
  });
  if ("validate" in definition && definition.validate) {
    for (const message of definition.validate(node as TaskNode)) entries.push({ path, message });
  }
  if (
    registered.type === "io.kestra.plugin.core.flow.Subflow" &&
    node.namespace === ctx.flow.namespace &&
    node.flowId === ctx.flow.id
  ) {
    entries.push({ path, message: `Recursive call to flow [${String(node.namespace)}.${String(node.flowId)}]` });
  }
}

/** The problems in document order; a task id seen before is a duplicate. */
function flattenIssues(
  entries: readonly Entry[],
  taskIds: Map<string, (string | number)[]>,
  out: ValidationIssue[] = [],
): ValidationIssue[] {
  for (const entry of entries) {
    if ("work" in entry) flattenIssues(entry.work.entries, taskIds, out);
    else if ("taskId" in entry) {
      const seen = taskIds.get(entry.taskId);
      if (seen)
        out.push({
          path: [...entry.path, "id"],
          message: `duplicate task id '${entry.taskId}' (also at ${formatPath(seen)})`,
        });
      else taskIds.set(entry.taskId, entry.path);
    } else out.push(entry);
  }
  return out;
}

/** Checks one input's own rules (beyond its schema); `form` when it sits in a FORM. */
function checkInputRules(
  ctx: Context,
  input: Record<string, unknown>,
  path: (string | number)[],
  inForm: boolean,
): void {
  const issue = (message: string, key?: string) => ctx.issues.push({ path: key ? [...path, key] : path, message });
  if (input.defaults !== undefined && input.prefill !== undefined)
    issue("an input with a default value cannot also have a prefill", "prefill");
  switch (input.type) {
    case "FORM":
      if (inForm) issue("a FORM input cannot contain another FORM input", "type");
      if (input.defaults !== undefined || input.prefill !== undefined)
        issue("a FORM input groups other inputs and cannot have a default value or a prefill");
      return;
    case "SELECT":
      if (input.values === undefined && input.expression === undefined)
        issue("a SELECT input needs `values` or `expression`");
      return;
    case "MULTISELECT":
      if (input.values === undefined && input.options === undefined && input.expression === undefined)
        issue("a MULTISELECT input needs `values` or `expression`");
      if (input.values !== undefined && input.options !== undefined)
        issue("`options` is the deprecated name of `values`: give only one", "options");
      return;
    default:
  }
}

function validateInputs(ctx: Context, inputs: unknown): void {
  if (!Array.isArray(inputs)) return;
  const ids = new Map<string, (string | number)[]>();
  const visit = (list: unknown[], base: (string | number)[], prefix: string, inForm: boolean) => {
    list.forEach((input, i) => {
      const path = [...base, i];
      if (!isMap(input)) return;
      const id = input.id ?? input.name;
      const type = input.type;
      if (typeof type !== "string" || !(FLOW_INPUT_TYPES as readonly string[]).includes(type)) {
        ctx.issues.push({
          path: [...path, "type"],
          message: `must be one of ${FLOW_INPUT_TYPES.join(", ")} (got ${JSON.stringify(type)})`,
        });
        return;
      }
      validateValue(
        inputSchema(type),
        { ...input, id },
        path,
        ctx.issues as ValidationIssue[],
        { onPluginNode: () => {} },
        false,
      );
      checkInputRules(ctx, input, path, inForm);
      if (typeof id !== "string") return;
      if (type === "FORM") {
        if (Array.isArray(input.inputs) && !inForm) visit(input.inputs, [...path, "inputs"], `${prefix}${id}.`, true);
        return;
      }
      const full = `${prefix}${id}`;
      if (ids.has(full)) ctx.issues.push({ path: [...path, "id"], message: `duplicate input id '${full}'` });
      ids.set(full, path);
    });
  };
  visit(inputs, ["inputs"], "", false);
  for (const [, path] of ids) {
    const input = path.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], { inputs });
    const deps =
      isMap(input) && isMap(input.dependsOn) && Array.isArray(input.dependsOn.inputs) ? input.dependsOn.inputs : [];
    for (const dep of deps)
      if (!ids.has(String(dep)))
        ctx.issues.push({
          path: [...path, "dependsOn", "inputs"],
          message: `depends on unknown input '${String(dep)}'`,
        });
  }
}

function checkDuplicates(ctx: Context, list: unknown, key: string, what: string): void {
  if (!Array.isArray(list)) return;
  const seen = new Set<string>();
  list.forEach((item, i) => {
    const id = isMap(item) ? item.id : undefined;
    if (typeof id !== "string") return;
    if (seen.has(id)) ctx.issues.push({ path: [key, i, "id"], message: `duplicate ${what} id '${id}'` });
    seen.add(id);
  });
}

function checkLabels(ctx: Context, raw: unknown, path: (string | number)[] = ["labels"]): void {
  for (const label of normaliseLabels(raw)) {
    if (label.key.startsWith("system.") && label.key !== "system.readOnly")
      ctx.issues.push({ path, message: `system labels can't be set on a flow: '${label.key}'` });
  }
}

/** Each SLA has the property its type needs, and no system label. */
function checkSla(ctx: Context, raw: unknown): void {
  if (!Array.isArray(raw)) return;
  raw.forEach((sla, i) => {
    if (!isMap(sla)) return;
    checkLabels(ctx, sla.labels, ["sla", i, "labels"]);
    const needed = SLA_REQUIRED[sla.type as keyof typeof SLA_REQUIRED];
    if (needed && (sla[needed] === undefined || sla[needed] === null))
      ctx.issues.push({ path: ["sla", i, needed], message: `is required for an SLA of type ${String(sla.type)}` });
  });
}

/** Canonical type ids on every plugin node (old aliases resolved). */
function canonicalTypes(value: unknown, registry: PluginRegistry): unknown {
  if (Array.isArray(value)) return value.map((v) => canonicalTypes(v, registry));
  if (!isMap(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) out[key] = canonicalTypes(child, registry);
  if (typeof out.type === "string" && out.type.includes(".")) out.type = registry.canonical(out.type);
  return out;
}

const AS_WRITTEN = new Set(["variables", "inputs", "outputs", "pluginDefaults", "taskDefaults"]);

type CheckResult = { flow?: Flow; issues: ValidationIssue[] };

/**
 * `checkFlow` as steps: it yields after each plugin node and each top-level list item, so a
 * caller may let other work run in between.
 */
function* checkFlowSteps(value: unknown, options: ParseFlowOptions): Generator<void, CheckResult> {
  if (!isMap(value))
    return { issues: [{ path: [], message: "a flow must be a YAML map with id, namespace and tasks" }] };
  const flowDefaults = (
    Array.isArray(value.pluginDefaults)
      ? value.pluginDefaults
      : Array.isArray(value.taskDefaults)
        ? value.taskDefaults
        : []
  ) as PluginDefault[];
  const defaults = [
    ...flowDefaults.filter((d) => isMap(d) && typeof d.type === "string" && isMap(d.values)),
    ...(options.globalDefaults ?? []),
  ];
  const withDefaults = applyPluginDefaults(
    value,
    defaults,
    new Set(["pluginDefaults", "taskDefaults", "variables", "inputs", "outputs"]),
  ) as Record<string, unknown>;
  yield;
  const ctx: Context = {
    registry: options.registry,
    issues: [],
    queue: [],
    flow: { namespace: value.namespace, id: value.id },
  };
  validateValue(
    FlowSchema,
    withDefaults,
    [],
    ctx.issues as ValidationIssue[],
    { onPluginNode: deferNode(ctx, ctx.issues) },
    false,
  );
  for (let next = ctx.queue.pop(); next; next = ctx.queue.pop()) {
    yield;
    validateNode(ctx, next);
  }
  validateInputs(ctx, withDefaults.inputs);
  checkDuplicates(ctx, withDefaults.triggers, "triggers", "trigger");
  checkDuplicates(ctx, withDefaults.outputs, "outputs", "output");
  checkLabels(ctx, withDefaults.labels);
  checkSla(ctx, withDefaults.sla);
  const issues = flattenIssues(ctx.issues, new Map());
  if (issues.length > 0) return { issues };
  const flow: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(withDefaults)) {
    if (AS_WRITTEN.has(key) || !Array.isArray(child))
      flow[key] = AS_WRITTEN.has(key) ? child : canonicalTypes(child, options.registry);
    else {
      const items: unknown[] = [];
      for (const item of child) {
        yield;
        items.push(canonicalTypes(item, options.registry));
      }
      flow[key] = items;
    }
  }
  if (flow.labels !== undefined) flow.labels = normaliseLabels(flow.labels);
  if (Array.isArray(flow.sla))
    flow.sla = flow.sla.map((sla) =>
      isMap(sla) && sla.labels !== undefined ? { ...sla, labels: normaliseLabels(sla.labels) } : sla,
    );
  if (Array.isArray(flow.inputs))
    flow.inputs = (flow.inputs as Flow["inputs"] & object).map((i) => ({ ...i, id: i.id ?? (i.name as string) }));
  return { flow: flow as unknown as Flow, issues };
}

/** Validates a parsed flow value; returns the normalised flow and every problem found. */
export function checkFlow(value: unknown, options: ParseFlowOptions): CheckResult {
  const steps = checkFlowSteps(value, options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** Longest stretch `checkFlowAsync` holds the event loop before letting others run. */
const SLICE_MS = 10;

/** `checkFlow` in slices of a few milliseconds, letting other work run in between. */
export async function checkFlowAsync(value: unknown, options: ParseFlowOptions): Promise<CheckResult> {
  const steps = checkFlowSteps(value, options);
  let sliceStart = performance.now();
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    if (performance.now() - sliceStart > SLICE_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
  }
}

export function formatIssues(flowName: string, issues: readonly LocatedIssue[]): string {
  const lines = issues.map(
    (i) => `${formatPath(i.path) || "(flow)"}: ${i.message}${i.line ? ` (line ${i.line})` : ""}`,
  );
  return lines.length === 1
    ? `${flowName} is invalid: ${lines[0]}`
    : `${flowName} is invalid (${lines.length} problems):\n  - ${lines.join("\n  - ")}`;
}

/** A flow source over `limits.maxFlowBytes`: HTTP 413, naming the limit. */
function checkFlowSize(source: string, name: string): void {
  if (!withinSizeLimits(source, "maxFlowBytes")) {
    const { maxFlowBytes } = dataLimits();
    throw new SakerError(
      "FLOW_TOO_LARGE",
      `${name}: the flow source is larger than ${maxFlowBytes} bytes (limit maxFlowBytes = ${maxFlowBytes})`,
      { details: { limit: "maxFlowBytes" } },
    );
  }
}

function invalidFlow(value: unknown, located: readonly LocatedIssue[], options: ParseFlowOptions): SakerError {
  const flow = isMap(value) ? value : {};
  const name =
    typeof flow.namespace === "string" && typeof flow.id === "string"
      ? `Flow '${flow.namespace}/${flow.id}'`
      : `Flow ${options.sourceName ? `'${options.sourceName}'` : ""}`.trim();
  const first = located[0];
  return new SakerError("FLOW_INVALID", formatIssues(name, located), {
    ...(first?.line ? { line: first.line } : {}),
    details: {
      issues: located.map((i) => ({ path: formatPath(i.path), message: i.message, line: i.line, column: i.column })),
    },
  });
}

/** Parses and validates flow YAML. Throws a `FLOW_INVALID` (or `YAML_INVALID`, `FLOW_TOO_LARGE`) SakerError. */
export function parseFlow(source: string, options: ParseFlowOptions): Flow {
  checkFlowSize(source, options.sourceName ?? "flow");
  const yaml = parseYamlSource(source, options.sourceName ?? "flow");
  const { flow, issues } = checkFlow(yaml.value, options);
  if (flow) return flow;
  throw invalidFlow(
    yaml.value,
    issues.map((i) => ({ ...i, ...yaml.locate(i.path) })),
    options,
  );
}

/**
 * `parseFlow` without holding the event loop for long: a large source is parsed in a worker
 * thread, then validated in slices. Same result, same errors.
 */
export async function parseFlowAsync(source: string, options: ParseFlowOptions): Promise<Flow> {
  checkFlowSize(source, options.sourceName ?? "flow");
  const yaml = await parseYamlSourceAsync(source, options.sourceName ?? "flow");
  const { flow, issues } = await checkFlowAsync(yaml.value, options);
  if (flow) return flow;
  const positions = await yaml.locate(issues.map((i) => i.path));
  throw invalidFlow(
    yaml.value,
    issues.map((i, n) => ({ ...i, ...positions[n] })),
    options,
  );
}
