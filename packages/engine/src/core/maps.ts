/** Map helpers shared by core tasks that merge values (SetVariables, kv.Put), as Kestra's MapUtils. */
import { isMap } from "../expression/values.ts";

type Tree = Record<string, unknown>;

/** `added` merged into `base`: maps merge key by key, any other value replaces the old one. */
export function deepMerge(base: Tree, added: Tree): Tree {
  const merged: Tree = { ...base };
  for (const [key, value] of Object.entries(added)) {
    const old = merged[key];
    merged[key] = isMap(old) && isMap(value) ? deepMerge(old, value) : value;
  }
  return merged;
}

/** `{"a.b": 1, "c": 2}` → `{a: {b: 1}, c: 2}`. */
export function nestDottedKeys(flat: Tree): Tree {
  let result: Tree = {};
  for (const [key, value] of Object.entries(flat)) {
    const nested = key
      .split(".")
      .reverse()
      .reduce<unknown>((inner, part) => ({ [part]: inner }), value) as Tree;
    result = deepMerge(result, nested);
  }
  return result;
}
