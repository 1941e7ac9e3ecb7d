import { likeBelowNamespace } from "../like.ts";

/** SQL condition on a `namespace` column: this namespace or one below it (`a.b` holds `a.b.c`). */
export function withinNamespace(namespace: string): { sql: string; params: [string, string] } {
  return {
    sql: "(namespace = ? OR namespace LIKE ? ESCAPE '\\')",
    params: [namespace, likeBelowNamespace(namespace)],
  };
}
