/**
 * Completion inside `{{ … }}`: the variables an expression can read (`inputs.<id>` from the
 * flow's inputs, `outputs.<taskId>.<output>` from its tasks and their types' outputs,
 * `vars.<name>` from `variables:`, `trigger.`, `flow.`, `execution.`…) and the names of Pebble's
 * functions and filters. The flow's symbols come from its YAML (`flowSymbols`).
 */
import { parse } from "yaml";
import type { CompletionItem, CompletionResult } from "./schemaCompletion.ts";

export interface FlowSymbols {
  inputs: { id: string; type?: string; description?: string }[];
  /** Every task, nested ones included. */
  tasks: { id: string; type: string }[];
  triggers: { id: string; type: string }[];
  variables: string[];
  labels: string[];
}

export const EMPTY_SYMBOLS: FlowSymbols = { inputs: [], tasks: [], triggers: [], variables: [], labels: [] };

/** Pebble's and Kestra's functions (Saker's expression engine). */
export const FUNCTIONS = [
  "block",
  "currentEachOutput",
  "dayOfMonth",
  "dayOfWeek",
  "decrypt",
  "encrypt",
  "errorLogs",
  "fetchContext",
  "fileExists",
  "fileSize",
  "fileURI",
  "fromIon",
  "fromJson",
  "hourOfDay",
  "http",
  "id",
  "isDayWeekInMonth",
  "isFileEmpty",
  "isPublicHoliday",
  "isWeekend",
  "json",
  "ksuid",
  "kv",
  "max",
  "min",
  "monthOfYear",
  "nanoId",
  "now",
  "parentOutput",
  "printContext",
  "randomInt",
  "randomPort",
  "range",
  "read",
  "render",
  "renderOnce",
  "secret",
  "tasksWithState",
  "uuid",
  "yaml",
];

/** Pebble's and Kestra's filters. */
export const FILTERS = [
  "abbreviate",
  "abs",
  "base64decode",
  "base64encode",
  "capitalize",
  "chunk",
  "className",
  "date",
  "dateAdd",
  "default",
  "distinct",
  "endsWith",
  "escapeChar",
  "first",
  "flatten",
  "indent",
  "join",
  "jq",
  "json",
  "keys",
  "last",
  "length",
  "lower",
  "md5",
  "merge",
  "nindent",
  "nl2br",
  "number",
  "numberFormat",
  "replace",
  "reverse",
  "rsort",
  "sha1",
  "sha256",
  "sha512",
  "slice",
  "slugify",
  "sort",
  "split",
  "startsWith",
  "string",
  "substringAfter",
  "substringAfterLast",
  "substringBefore",
  "substringBeforeLast",
  "timestamp",
  "timestampMicro",
  "timestampMilli",
  "timestampNano",
  "title",
  "toIon",
  "toJson",
  "trim",
  "upper",
  "urldecode",
  "urlencode",
  "values",
  "yaml",
];

/** The variables at the root of an expression's context. */
const ROOTS: Record<string, string> = {
  inputs: "The execution's inputs",
  outputs: "The outputs of the tasks that ran",
  vars: "The flow's variables",
  trigger: "What the trigger gave",
  flow: "The flow (id, namespace, revision)",
  execution: "The execution (id, startDate, state)",
  task: "The current task (id, type)",
  taskrun: "The current task run",
  labels: "The execution's labels",
  envs: "Environment variables (SAKER_/ENV_ prefixed)",
  globals: "Global variables of the configuration",
  parent: "The parent task run (in a flowable)",
  parents: "Every parent task run",
  tasks: "Task states by task id",
};

const FIELDS: Record<string, Record<string, string>> = {
  flow: { id: "The flow id", namespace: "The namespace", revision: "The revision", tenantId: "The tenant" },
  execution: {
    id: "The execution id",
    startDate: "When it started",
    originalId: "The first execution of a replay chain",
    state: "Its current state",
  },
  task: { id: "The task id", type: "The task type" },
  taskrun: {
    id: "The task run id",
    startDate: "When it started",
    attemptsCount: "Attempts so far",
    parentId: "The parent task run id",
    value: "The value of the iteration (ForEach)",
    iteration: "The iteration number",
  },
};

/** `trigger.` fields of the common trigger types, by the type's last name. */
const TRIGGER_FIELDS: Record<string, Record<string, string>> = {
  Schedule: { date: "The scheduled date", next: "The next date", previous: "The previous date" },
  ScheduleOnDates: { date: "The scheduled date", next: "The next date", previous: "The previous date" },
  Webhook: { body: "The request body", headers: "The request headers", parameters: "The query parameters" },
  Flow: {
    executionId: "The execution that ended",
    namespace: "Its namespace",
    flowId: "Its flow id",
    flowRevision: "Its flow revision",
    state: "Its final state",
    executionLabels: "Its labels",
    outputs: "Its outputs",
  },
};

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/** Collects tasks (objects with a string `id` and a dotted `type`) anywhere under `node`. */
function collectTasks(node: unknown, out: FlowSymbols["tasks"], depth = 0): void {
  if (depth > 50 || !node || typeof node !== "object") return;
  if (Array.isArray(node)) {
    for (const item of node) collectTasks(item, out, depth + 1);
    return;
  }
  const record = node as Record<string, unknown>;
  const id = str(record.id);
  const type = str(record.type);
  if (id && type && type.includes(".") && !out.some((t) => t.id === id)) out.push({ id, type });
  for (const [key, value] of Object.entries(record)) {
    if (key === "triggers" || key === "inputs" || key === "conditions") continue;
    collectTasks(value, out, depth + 1);
  }
}

/** The symbols of a parsed flow (any shape is tolerated). */
export function symbolsOf(flow: unknown): FlowSymbols {
  if (!flow || typeof flow !== "object" || Array.isArray(flow)) return EMPTY_SYMBOLS;
  const f = flow as Record<string, unknown>;
  const inputs: FlowSymbols["inputs"] = [];
  const addInputs = (list: unknown, prefix: string) => {
    if (!Array.isArray(list)) return;
    for (const input of list as Record<string, unknown>[]) {
      const id = str(input?.id) ?? str(input?.name);
      if (!id) continue;
      if (input.type === "FORM") addInputs(input.inputs, `${prefix}${id}.`);
      else
        inputs.push({
          id: prefix + id,
          ...(str(input.type) ? { type: str(input.type)! } : {}),
          ...(str(input.description) ? { description: str(input.description)! } : {}),
        });
    }
  };
  addInputs(f.inputs, "");
  const tasks: FlowSymbols["tasks"] = [];
  for (const key of ["tasks", "errors", "finally", "afterExecution"]) collectTasks(f[key], tasks);
  const triggers = Array.isArray(f.triggers)
    ? (f.triggers as Record<string, unknown>[])
        .filter((t) => str(t?.id) && str(t?.type))
        .map((t) => ({ id: str(t.id)!, type: str(t.type)! }))
    : [];
  const variables = f.variables && typeof f.variables === "object" ? Object.keys(f.variables) : [];
  const labels = Array.isArray(f.labels)
    ? (f.labels as Record<string, unknown>[]).map((l) => str(l?.key)).filter((k): k is string => !!k)
    : f.labels && typeof f.labels === "object"
      ? Object.keys(f.labels)
      : [];
  return { inputs, tasks, triggers, variables, labels };
}

function tryParse(text: string): unknown {
  try {
    return parse(text, { uniqueKeys: false, strict: false });
  } catch {
    return undefined;
  }
}

/**
 * The symbols of the flow being typed: its YAML parsed, or without the cursor's line when that
 * line is unfinished (an open quote, an open `{{`).
 */
export function flowSymbols(text: string, pos?: number): FlowSymbols | undefined {
  const parsed = tryParse(text);
  if (parsed && typeof parsed === "object") return symbolsOf(parsed);
  if (pos === undefined) return undefined;
  const start = text.lastIndexOf("\n", pos - 1) + 1;
  const end = text.indexOf("\n", pos);
  const without = text.slice(0, start) + (end === -1 ? "" : text.slice(end + 1));
  const second = tryParse(without);
  return second && typeof second === "object" ? symbolsOf(second) : undefined;
}

export interface ExpressionContext {
  /** What is typed: a variable path (`outputs.task1.va`), a filter after `|`, or nothing. */
  kind: "path" | "filter";
  /** The path's segments before the one being typed (`["outputs", "task1"]`). */
  parents: string[];
  prefix: string;
  /** The offset where `prefix` starts. */
  from: number;
}

/** The expression context at `pos`: inside `{{ … }}` (or `{% … %}`) not yet closed before the cursor. */
export function expressionContextAt(text: string, pos: number): ExpressionContext | undefined {
  const before = text.slice(0, pos);
  const open = Math.max(before.lastIndexOf("{{"), before.lastIndexOf("{%"));
  if (open === -1) return undefined;
  const inside = before.slice(open + 2);
  if (inside.includes("}}") || inside.includes("%}")) return undefined;
  // strings inside the expression: an odd number of quotes means the cursor is in one
  if ((inside.match(/'/g)?.length ?? 0) % 2 === 1) return undefined;
  const filter = /\|\s*([A-Za-z_]\w*)?$/.exec(inside);
  if (filter) {
    const prefix = filter[1] ?? "";
    return { kind: "filter", parents: [], prefix, from: pos - prefix.length };
  }
  const path = /((?:[A-Za-z_][\w-]*(?:\.|(?=\[))|\[["'][^"']*["']\]\.?)*)([A-Za-z_][\w-]*)?$/.exec(inside);
  const chain = path?.[1] ?? "";
  const prefix = path?.[2] ?? "";
  // not after a dot of something that is not a path (a number, a call)
  const start = inside.length - chain.length - prefix.length;
  if (start > 0 && /[\w.)\]]/.test(inside[start - 1]!)) return undefined;
  const parents = [...chain.matchAll(/([A-Za-z_][\w-]*)|\[["']([^"']*)["']\]/g)].map((m) => m[1] ?? m[2]!);
  return { kind: "path", parents, prefix, from: pos - prefix.length };
}

function item(label: string, kind: CompletionItem["kind"], detail?: string, extra: Partial<CompletionItem> = {}) {
  return { label, kind, ...(detail ? { detail } : {}), ...extra };
}

/** A name in a path: as is when it is an identifier, else in brackets (`['my-id']` after a dot is not allowed). */
function segment(name: string): string {
  return /^[A-Za-z_]\w*$/.test(name) ? name : `['${name}']`;
}

/**
 * What to offer in an expression. `outputsOf(type)` gives the output names a type declares
 * (undefined while unknown).
 */
export function expressionCompletions(
  context: ExpressionContext,
  symbols: FlowSymbols,
  outputsOf: (type: string) => readonly string[] | undefined = () => undefined,
): CompletionResult | undefined {
  const { from } = context;
  if (context.kind === "filter") return { from, options: FILTERS.map((f) => item(f, "filter", "filter")) };
  const [root, second, ...rest] = context.parents;
  if (root === undefined) {
    return {
      from,
      options: [
        ...Object.entries(ROOTS).map(([name, info]) => item(name, "variable", undefined, { info, boost: 10 })),
        ...FUNCTIONS.map((f) => item(f, "function", "function", { apply: `${f}(` })),
      ],
    };
  }
  if (second === undefined) {
    switch (root) {
      case "inputs":
        return {
          from,
          options: symbols.inputs.map((i) =>
            item(i.id, "variable", i.type, {
              ...(i.description ? { info: i.description } : {}),
              ...(segment(i.id) !== i.id ? { apply: segment(i.id) } : {}),
            }),
          ),
        };
      case "outputs":
      case "tasks":
        return {
          from,
          options: symbols.tasks.map((t) => item(t.id, "variable", t.type.split(".").pop())),
        };
      case "vars":
        return { from, options: symbols.variables.map((v) => item(v, "variable", "variable")) };
      case "labels":
        return { from, options: symbols.labels.map((v) => item(v, "variable", "label")) };
      case "trigger": {
        const fields: Record<string, string> = {};
        const types = symbols.triggers.length ? symbols.triggers.map((t) => t.type.split(".").pop()!) : [];
        for (const t of types) Object.assign(fields, TRIGGER_FIELDS[t] ?? {});
        if (Object.keys(fields).length === 0)
          for (const f of Object.values(TRIGGER_FIELDS)) for (const [k, v] of Object.entries(f)) fields[k] ??= v;
        return { from, options: Object.entries(fields).map(([k, info]) => item(k, "variable", "trigger", { info })) };
      }
      default: {
        const fields = FIELDS[root];
        if (!fields) return undefined;
        return { from, options: Object.entries(fields).map(([k, info]) => item(k, "variable", root, { info })) };
      }
    }
  }
  if (root === "outputs" && rest.length === 0) {
    const task = symbols.tasks.find((t) => t.id === second);
    const names = task ? outputsOf(task.type) : undefined;
    if (!names) return undefined;
    return { from, options: names.map((n) => item(n, "variable", `output of ${second}`)) };
  }
  if (root === "tasks" && rest.length === 0) return { from, options: [item("state", "variable", "task state")] };
  return undefined;
}

/** The completion at `pos` of `text` when it is in an expression (undefined otherwise). */
export function completeExpression(
  text: string,
  pos: number,
  symbols: FlowSymbols,
  outputsOf?: (type: string) => readonly string[] | undefined,
): CompletionResult | undefined {
  const context = expressionContextAt(text, pos);
  return context ? expressionCompletions(context, symbols, outputsOf) : undefined;
}
