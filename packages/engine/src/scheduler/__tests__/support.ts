/**
 * Test support: a real ConditionContext over the core registry. The expression engine is written
 * separately; rendering here understands only `{{ dotted.path }}` and a comparison of a path with
 * a literal (`{{ path == 'text' }}`, `{{ path < 400 }}`; ==, !=, <, <=, >, >=), and throws on
 * anything else so that no test passes on a template it did not read.
 */
import type { ConditionContext } from "@saker/sdk";
import { coreRegistry } from "../../runtime/registryLoader.ts";
import { createConditionContext, type ConditionEnvironment } from "../conditionContext.ts";

function lookup(variables: Record<string, unknown>, path: string): unknown {
  let current: unknown = variables;
  for (const part of path.split(".")) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function text(value: unknown): string {
  if (value === undefined || value === null) return "";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

const SINGLE = /^\s*\{\{\s*([\w.]+)\s*\}\}\s*$/;
const COMPARISON = /^([\w.]+)\s*(==|!=|<=|>=|<|>)\s*(?:'([^']*)'|(-?\d+(?:\.\d+)?))$/;

function evaluate(expression: string, variables: Record<string, unknown>): unknown {
  const trimmed = expression.trim();
  if (/^[\w.]+$/.test(trimmed)) return lookup(variables, trimmed);
  const comparison = COMPARISON.exec(trimmed);
  if (!comparison) throw new Error(`the test renderer does not understand '{{${expression}}}'`);
  const [, path, operator, quoted, number] = comparison;
  const left = lookup(variables, path!);
  const [a, b] = quoted !== undefined ? [text(left), quoted] : [Number(left), Number(number)];
  switch (operator) {
    case "==":
      return a === b;
    case "!=":
      return a !== b;
    case "<":
      return a < b;
    case "<=":
      return a <= b;
    case ">":
      return a > b;
    default:
      return a >= b;
  }
}

export const pathRenderer: ConditionEnvironment["renderer"] = {
  async render(template, variables, typed) {
    const single = SINGLE.exec(template);
    if (typed && single) return lookup(variables, single[1]!);
    return template.replace(/\{\{(.*?)\}\}/g, (_, expression: string) => text(evaluate(expression, variables)));
  },
  async renderValue(value, variables) {
    if (typeof value === "string") return pathRenderer.render(value, variables, false);
    if (Array.isArray(value)) return Promise.all(value.map((v) => pathRenderer.renderValue(v, variables)));
    if (value && typeof value === "object") {
      const entries = await Promise.all(
        Object.entries(value).map(async ([k, v]) => [k, await pathRenderer.renderValue(v, variables)] as const),
      );
      return Object.fromEntries(entries);
    }
    return value;
  },
};

export const environment: ConditionEnvironment = { registry: coreRegistry(), renderer: pathRenderer };

/** An ended execution as the store keeps it. */
export function execution(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: "exec1",
    namespace: "company.team",
    flowId: "upstream",
    flowRevision: 3,
    state: { current: "SUCCESS", histories: [] },
    labels: [{ key: "team", value: "data" }],
    taskRunList: [],
    outputs: {},
    ...overrides,
  };
}

export function conditionContext(
  options: {
    execution?: Record<string, unknown>;
    variables?: Record<string, unknown>;
    flow?: { id: string; namespace: string };
  } = {},
): ConditionContext {
  return createConditionContext(environment, {
    flow: options.flow ?? { id: "listener", namespace: "company.team" },
    ...(options.execution ? { execution: options.execution } : {}),
    variables: options.variables ?? {},
  });
}

/** Tests one condition node as the scheduler would. */
export async function check(
  node: Record<string, unknown>,
  options: Parameters<typeof conditionContext>[0] = {},
): Promise<boolean> {
  const [result] = await conditionContext(options).test([node]);
  return result!;
}
