/**
 * `pluginDefaults` (and the older `taskDefaults`): default property values for every map node
 * whose `type` starts with the default's `type`. Non-forced defaults fill what the node leaves
 * out; forced ones override it.
 */
import type { PluginDefault } from "./flow.ts";

type Tree = Record<string, unknown>;

function isTree(value: unknown): value is Tree {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Deep merge where `winner`'s values take precedence. */
function merge(base: Tree, winner: Tree): Tree {
  const result: Tree = { ...base };
  for (const [key, value] of Object.entries(winner)) {
    result[key] = isTree(result[key]) && isTree(value) ? merge(result[key] as Tree, value) : value;
  }
  return result;
}

function applies(defaults: PluginDefault, type: string): boolean {
  return type === defaults.type || type.startsWith(defaults.type);
}

/** Applies defaults to one node (not to its children). */
export function applyDefaultsToNode(node: Tree, defaults: readonly PluginDefault[]): Tree {
  const type = node.type;
  if (typeof type !== "string") return node;
  let result = node;
  for (const d of defaults) if (!d.forced && applies(d, type)) result = merge(d.values, result);
  for (const d of [...defaults].reverse()) if (d.forced && applies(d, type)) result = merge(result, d.values);
  return result;
}

/**
 * Applies defaults to every map with a `type` inside `value` (tasks, triggers, conditions, task
 * runners…), except under `skip` keys of the root (the flow's own `pluginDefaults`).
 */
export function applyPluginDefaults(
  value: unknown,
  defaults: readonly PluginDefault[],
  skip: ReadonlySet<string> = new Set(),
): unknown {
  if (defaults.length === 0) return value;
  const walk = (v: unknown, root: boolean): unknown => {
    if (Array.isArray(v)) return v.map((x) => walk(x, false));
    if (!isTree(v)) return v;
    const node = root ? v : applyDefaultsToNode(v, defaults);
    const out: Tree = {};
    for (const [key, child] of Object.entries(node)) out[key] = root && skip.has(key) ? child : walk(child, false);
    return out;
  };
  return walk(value, true);
}
