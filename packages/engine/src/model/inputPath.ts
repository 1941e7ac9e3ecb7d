/**
 * An input's value by its dotted id: the inputs of a FORM sit under it (`form.input` is at
 * `inputs.form.input`), so SECRET inputs are found, decrypted and put back this way.
 */

/** The value at the dotted input id `id` in `inputs`; undefined when the path leads nowhere. */
export function inputAt(inputs: unknown, id: string): unknown {
  let node = inputs;
  for (const key of id.split(".")) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/**
 * Puts `value` at the dotted input id `id` of `inputs` (a copy the caller owns), copying the maps
 * on the way down so that those it was given stay as they were. Nothing is put when a map on the
 * way is missing.
 */
export function putInputAt(inputs: Record<string, unknown>, id: string, value: unknown): void {
  const keys = id.split(".");
  let node = inputs;
  for (let i = 0; i < keys.length - 1; i++) {
    const next = node[keys[i]!];
    if (typeof next !== "object" || next === null) return;
    node = node[keys[i]!] = { ...(next as Record<string, unknown>) };
  }
  node[keys[keys.length - 1]!] = value;
}
