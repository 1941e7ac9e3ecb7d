/**
 * Checks that span several properties (a cron and `withSeconds`, a window type and its settings)
 * cannot be written as one property schema: the flow validator calls a definition's `validate`
 * with the node as written and reports each message at the node's path.
 */
import type { TaskNode } from "../../model/execution.ts";

export type NodeValidator = (node: Record<string, unknown>) => string[];

/** The definition with a `validate` hook the flow validator runs after the schema checks. */
export function withValidation<D extends object>(
  definition: D,
  validate: NodeValidator,
): D & { readonly validate: (node: TaskNode) => string[] } {
  return Object.freeze({ ...definition, validate: (node: TaskNode) => validate(node) });
}
