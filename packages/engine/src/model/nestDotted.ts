/**
 * Input ids may hold dots (`a.b`) and expressions read them nested (`inputs.a.b`). Shared by input
 * resolution (model/inputs.ts) and the executor's variables, so it lives below both.
 */

type Tree = Record<string, unknown>;

function isTree(value: unknown): value is Tree {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Nests dotted input ids: `{"a.b": 1}` → `{a: {b: 1}}`. */
export function nestDotted(values: Record<string, unknown>): Tree {
  const result: Tree = {};
  for (const [key, value] of Object.entries(values)) {
    const parts = key.split(".");
    let node = result;
    for (const part of parts.slice(0, -1)) {
      if (!isTree(node[part])) node[part] = {};
      node = node[part] as Tree;
    }
    node[parts[parts.length - 1]!] = value;
  }
  return result;
}
