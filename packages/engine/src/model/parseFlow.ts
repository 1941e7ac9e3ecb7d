/**
 * From flow YAML to a validated `Flow`: YAML syntax, plugin defaults, the flow's own schema,
 * every plugin node against its plugin's schema (nested ones too), id rules, duplicates, inputs.
 * Every problem is reported at once, each with its YAML path and line.
 */
import { LOG_LEVELS, SakerError, STATE_TYPES, isSakerError, z } from "@saker/sdk";
import { COMMON_TASK_KEYS } from "../plugins/properties.ts";
import type { PluginRegistry, RegisteredType } from "../plugins/registry.ts";
import { formatPath, validateValue, type ValidationIssue } from "../plugins/validateValue.ts";
import type { Label, TaskNode } from "./execution.ts";
import type { Flow, PluginDefault } from "./flow.ts";
import { FlowSchema, inputSchema, TASK_ID } from "./flowSchema.ts";
import { applyPluginDefaults } from "./pluginDefaults.ts";
import { RetryPolicySchema } from "./retry.ts";
import { INPUT_TYPES } from "./typedValues.ts";
import { parseYamlSource } from "./yamlSource.ts";

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

export const COMMON_TASK_SHAPE = {
  id: z.string().regex(TASK_ID, "must start with a letter or digit and hold only letters, digits, '_' and '-'").describe("A unique id in the flow."),
  type: z.string().describe("The plugin type."),
  version: z.string().optional().describe("The plugin version: exact, a semver range, LATEST or OLDEST."),
  description: z.string().optional(),
  retry: RetryPolicySchema.optional().describe("Retry policy when the task fails."),
  timeout: z.string().optional().describe("ISO-8601 duration after which the task is killed and fails."),
  disabled: z.boolean().default(false).describe("A disabled task is skipped entirely."),
  workerGroup: z.object({ key: z.string(), fallback: z.enum(["FAIL", "WAIT", "CANCEL"]).optional() }).optional(),
  logLevel: z.enum(LOG_LEVELS).optional().describe("Minimum level of the task's logs."),
  logToFile: z.boolean().optional(),
  allowFailure: z.boolean().default(false).describe("A failure ends the task WARNING and the flow goes on."),
  allowWarning: z.boolean().default(false).describe("A warning ends the task SUCCESS."),
  runIf: z.union([z.string(), z.boolean()]).optional().describe("Skip the task when this renders falsy."),
  taskCache: z.object({ enabled: z.boolean(), ttl: z.string().optional() }).optional(),
};

export const COMMON_TRIGGER_SHAPE = {
  id: COMMON_TASK_SHAPE.id,
  type: z.string(),
  version: z.string().optional(),
  description: z.string().optional(),
  conditions: z.array(z.looseObject({ type: z.string() }).meta({ $pluginNode: "condition", $dynamic: false })).optional(),
  disabled: z.boolean().default(false),
  workerGroup: COMMON_TASK_SHAPE.workerGroup,
  logLevel: COMMON_TASK_SHAPE.logLevel,
  logToFile: z.boolean().optional(),
  labels: z.union([z.record(z.string(), z.unknown()), z.array(z.object({ key: z.string(), value: z.unknown() }))]).optional(),
  stopAfter: z.array(z.enum(STATE_TYPES)).optional(),
};

const COMMON_CONDITION_SHAPE = { type: z.string(), version: z.string().optional(), description: z.string().optional() };

interface Context {
  registry: PluginRegistry;
  issues: ValidationIssue[];
  taskIds: Map<string, (string | number)[]>;
  flow: { namespace?: unknown; id?: unknown };
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const SHAPES = { task: COMMON_TASK_SHAPE, trigger: COMMON_TRIGGER_SHAPE, condition: COMMON_CONDITION_SHAPE, taskRunner: COMMON_CONDITION_SHAPE };

function validateNode(ctx: Context, kind: keyof typeof SHAPES, node: Record<string, unknown>, path: (string | number)[]): void {
  const type = node.type;
  if (typeof type !== "string" || type.trim() === "") {
    ctx.issues.push({ path: [...path, "type"], message: "is required" });
    return;
  }
  let registered: RegisteredType;
  try {
    registered = ctx.registry.resolve(type, typeof node.version === "string" ? node.version : undefined);
  } catch (error) {
    ctx.issues.push({ path: [...path, isSakerError(error) && error.code.startsWith("PLUGIN_VERSION") ? "version" : "type"], message: isSakerError(error) ? error.reason : String(error) });
    return;
  }
  const wanted = kind === "taskRunner" ? "task" : kind;
  if (registered.nodeKind !== wanted) {
    ctx.issues.push({ path: [...path, "type"], message: `'${type}' is a ${registered.nodeKind}, not a ${wanted}` });
    return;
  }
  if (kind === "task" && typeof node.id === "string") {
    const seen = ctx.taskIds.get(node.id);
    if (seen) ctx.issues.push({ path: [...path, "id"], message: `duplicate task id '${node.id}' (also at ${formatPath(seen)})` });
    else ctx.taskIds.set(node.id, path);
  }
  const definition = registered.definition;
  const schema = z.object({ ...SHAPES[kind], ...(definition.properties.shape as z.ZodRawShape) });
  validateValue(schema, node, path, ctx.issues, {
    onPluginNode: (found) => validateNode(ctx, found.kind, found.node, found.path),
    extraKeys: kind === "task" ? COMMON_TASK_KEYS : undefined,
  });
  if ("validate" in definition && definition.validate) {
    for (const message of definition.validate(node as TaskNode)) ctx.issues.push({ path, message });
  }
  if (registered.type === "io.kestra.plugin.core.flow.Subflow" && node.namespace === ctx.flow.namespace && node.flowId === ctx.flow.id) {
    ctx.issues.push({ path, message: `Recursive call to flow [${String(node.namespace)}.${String(node.flowId)}]` });
  }
}

function validateInputs(ctx: Context, inputs: unknown): void {
  if (!Array.isArray(inputs)) return;
  const ids = new Map<string, number>();
  inputs.forEach((input, i) => {
    if (!isMap(input)) return;
    const id = input.id ?? input.name;
    const type = input.type;
    if (typeof type !== "string" || !(INPUT_TYPES as readonly string[]).includes(type)) {
      ctx.issues.push({ path: ["inputs", i, "type"], message: `must be one of ${INPUT_TYPES.join(", ")} (got ${JSON.stringify(type)})` });
      return;
    }
    validateValue(inputSchema(type), { ...input, id }, ["inputs", i], ctx.issues, { onPluginNode: () => {} }, false);
    if (typeof id === "string") {
      if (ids.has(id)) ctx.issues.push({ path: ["inputs", i, "id"], message: `duplicate input id '${id}'` });
      ids.set(id, i);
    }
  });
  inputs.forEach((input, i) => {
    const deps = isMap(input) && isMap(input.dependsOn) && Array.isArray(input.dependsOn.inputs) ? input.dependsOn.inputs : [];
    for (const dep of deps) if (!ids.has(String(dep))) ctx.issues.push({ path: ["inputs", i, "dependsOn", "inputs"], message: `depends on unknown input '${String(dep)}'` });
  });
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

export function normaliseLabels(raw: unknown): Label[] {
  if (Array.isArray(raw)) return raw.filter(isMap).map((l) => ({ key: String(l.key), value: String(l.value) }));
  if (isMap(raw)) return Object.entries(raw).map(([key, value]) => ({ key, value: String(value) }));
  return [];
}

function checkLabels(ctx: Context, raw: unknown): void {
  for (const label of normaliseLabels(raw)) {
    if (label.key.startsWith("system.") && label.key !== "system.readOnly") ctx.issues.push({ path: ["labels"], message: `system labels can't be set on a flow: '${label.key}'` });
  }
}

/** Canonical type ids on every plugin node (old aliases resolved). */
function canonicalTypes(value: unknown, registry: PluginRegistry, root = true): unknown {
  if (Array.isArray(value)) return value.map((v) => canonicalTypes(v, registry, false));
  if (!isMap(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    out[key] = root && (key === "variables" || key === "inputs" || key === "outputs" || key === "pluginDefaults" || key === "taskDefaults") ? child : canonicalTypes(child, registry, false);
  }
  if (!root && typeof out.type === "string" && out.type.includes(".")) out.type = registry.canonical(out.type);
  return out;
}

/** Validates a parsed flow value; returns the normalised flow and every problem found. */
export function checkFlow(value: unknown, options: ParseFlowOptions): { flow?: Flow; issues: ValidationIssue[] } {
  const issues: ValidationIssue[] = [];
  if (!isMap(value)) return { issues: [{ path: [], message: "a flow must be a YAML map with id, namespace and tasks" }] };
  const flowDefaults = (Array.isArray(value.pluginDefaults) ? value.pluginDefaults : Array.isArray(value.taskDefaults) ? value.taskDefaults : []) as PluginDefault[];
  const defaults = [...flowDefaults.filter((d) => isMap(d) && typeof d.type === "string" && isMap(d.values)), ...(options.globalDefaults ?? [])];
  const withDefaults = applyPluginDefaults(value, defaults, new Set(["pluginDefaults", "taskDefaults", "variables", "inputs", "outputs"])) as Record<string, unknown>;
  const ctx: Context = { registry: options.registry, issues, taskIds: new Map(), flow: { namespace: value.namespace, id: value.id } };
  validateValue(FlowSchema, withDefaults, [], issues, { onPluginNode: (found) => validateNode(ctx, found.kind, found.node, found.path) }, false);
  validateInputs(ctx, withDefaults.inputs);
  checkDuplicates(ctx, withDefaults.triggers, "triggers", "trigger");
  checkDuplicates(ctx, withDefaults.outputs, "outputs", "output");
  checkLabels(ctx, withDefaults.labels);
  if (issues.length > 0) return { issues };
  const flow = canonicalTypes(withDefaults, options.registry) as Flow;
  if (flow.labels !== undefined) flow.labels = normaliseLabels(flow.labels);
  if (flow.inputs) flow.inputs = flow.inputs.map((i) => ({ ...i, id: i.id ?? (i.name as string) }));
  return { flow, issues };
}

export function formatIssues(flowName: string, issues: readonly LocatedIssue[]): string {
  const lines = issues.map((i) => `${formatPath(i.path) || "(flow)"}: ${i.message}${i.line ? ` (line ${i.line})` : ""}`);
  return lines.length === 1 ? `${flowName} is invalid: ${lines[0]}` : `${flowName} is invalid (${lines.length} problems):\n  - ${lines.join("\n  - ")}`;
}

/** Parses and validates flow YAML. Throws a `FLOW_INVALID` (or `YAML_INVALID`) SakerError. */
export function parseFlow(source: string, options: ParseFlowOptions): Flow {
  const yaml = parseYamlSource(source, options.sourceName ?? "flow");
  const { flow, issues } = checkFlow(yaml.value, options);
  if (flow) return flow;
  const located: LocatedIssue[] = issues.map((i) => ({ ...i, ...yaml.locate(i.path) }));
  const value = isMap(yaml.value) ? yaml.value : {};
  const name = typeof value.namespace === "string" && typeof value.id === "string" ? `Flow '${value.namespace}/${value.id}'` : `Flow ${options.sourceName ? `'${options.sourceName}'` : ""}`.trim();
  const first = located[0];
  throw new SakerError("FLOW_INVALID", formatIssues(name, located), {
    ...(first?.line ? { line: first.line } : {}),
    details: { issues: located.map((i) => ({ path: formatPath(i.path), message: i.message, line: i.line, column: i.column })) },
  });
}
