/**
 * A `ConditionContext` as the scheduler, the webhook endpoint and the Flow trigger build it: the
 * flow, the execution being tested (if any), the variables expressions see, and `test` for nested
 * conditions (each resolved in the registry, its dynamic properties rendered, then tested).
 */
import { SakerError, isSakerError, type AnyConditionDefinition, type ConditionContext } from "@saker/sdk";
import { renderProperties } from "../plugins/properties.ts";
import type { PluginRegistry } from "../plugins/registry.ts";
import type { Renderer } from "../expression/renderer.ts";

/** Properties every condition has, kept from its own schema. */
const CONDITION_KEYS: ReadonlySet<string> = new Set(["type", "version", "description"]);

export interface ConditionEnvironment {
  registry: PluginRegistry;
  renderer: Pick<Renderer, "render" | "renderValue">;
}

export interface ConditionScope {
  flow: { id: string; namespace: string };
  execution?: Readonly<Record<string, unknown>>;
  variables: Readonly<Record<string, unknown>>;
}

function definitionOf(env: ConditionEnvironment, node: Readonly<Record<string, unknown>>): AnyConditionDefinition {
  const type = typeof node.type === "string" ? node.type : "";
  const registered = env.registry.resolve(type, typeof node.version === "string" ? node.version : undefined);
  if (registered.nodeKind !== "condition")
    throw new SakerError("CONDITION_INVALID", `'${type}' is a ${registered.nodeKind}, not a condition`);
  return registered.definition as AnyConditionDefinition;
}

/** The context conditions are tested in. */
export function createConditionContext(env: ConditionEnvironment, scope: ConditionScope): ConditionContext {
  const vars = scope.variables as Record<string, unknown>;
  const merged = (extra?: Record<string, unknown>) => (extra ? { ...vars, ...extra } : vars);
  const ctx: ConditionContext = {
    flow: scope.flow,
    ...(scope.execution ? { execution: scope.execution } : {}),
    variables: scope.variables,
    render: async (template, extra) => String(await env.renderer.render(template, merged(extra), false)),
    renderTyped: (template, extra) => env.renderer.render(template, merged(extra), true),
    test: async (conditions) => {
      const results: boolean[] = [];
      for (const node of conditions) results.push(await testCondition(env, ctx, node));
      return results;
    },
  };
  return ctx;
}

/** Tests one condition node; errors (bad properties, rendering, a failing test) are thrown. */
export async function testCondition(
  env: ConditionEnvironment,
  ctx: ConditionContext,
  node: Readonly<Record<string, unknown>>,
): Promise<boolean> {
  const definition = definitionOf(env, node);
  const props = await renderProperties(
    definition.properties,
    node as Record<string, unknown>,
    (value) => env.renderer.renderValue(value, ctx.variables as Record<string, unknown>),
    CONDITION_KEYS,
  );
  return (await definition.test(props, ctx)) === true;
}

export interface ConditionFailure {
  condition: Readonly<Record<string, unknown>>;
  error: unknown;
}

/**
 * Whether every condition holds. As in Kestra, a condition that cannot be evaluated counts as
 * false; `onError` hears why (to log it on the trigger).
 */
export async function allConditionsHold(
  env: ConditionEnvironment,
  ctx: ConditionContext,
  conditions: readonly Readonly<Record<string, unknown>>[],
  onError?: (failure: ConditionFailure) => void,
): Promise<boolean> {
  for (const condition of conditions) {
    try {
      if (!(await testCondition(env, ctx, condition))) return false;
    } catch (error) {
      onError?.({ condition, error });
      return false;
    }
  }
  return true;
}

/** A one-line reason for a condition failure. */
export function describeFailure(failure: ConditionFailure): string {
  const type = String(failure.condition.type ?? "condition");
  const reason = isSakerError(failure.error)
    ? failure.error.message
    : failure.error instanceof Error
      ? failure.error.message
      : String(failure.error);
  return `condition ${type} could not be evaluated: ${reason}`;
}
