/** What the execution and log tasks share: which execution a task targets, and date parsing. */
import { NonRetryableError, type RunContext } from "@saker/sdk";
import { parseZonedDateTime } from "../../model/dates.ts";

interface TargetExecution {
  namespace: string;
  flowId: string;
  executionId: string;
}

/**
 * The execution `executionId` names (in the current flow unless `namespace` and `flowId` are both
 * given), or the current one; as Kestra's `executionFromTaskParameters`.
 */
export function targetExecution(
  ctx: RunContext,
  props: { namespace?: string | undefined; flowId?: string | undefined; executionId?: string | undefined },
): TargetExecution {
  const { namespace, flowId, executionId } = props;
  if (executionId === undefined) {
    if (namespace !== undefined || flowId !== undefined)
      throw new NonRetryableError("`namespace` and `flowId` should only be set when `executionId` is set.");
    return { namespace: ctx.flow.namespace, flowId: ctx.flow.id, executionId: ctx.execution.id };
  }
  if ((namespace === undefined) !== (flowId === undefined))
    throw new NonRetryableError("Both `namespace` and `flowId` must be set when `executionId` is set.");
  return { namespace: namespace ?? ctx.flow.namespace, flowId: flowId ?? ctx.flow.id, executionId };
}

/** An ISO date-time with an offset (a `[Zone/Id]` suffix allowed, as Java's ZonedDateTime prints) as an ISO instant. */
export function parseInstant(text: string, property: string): string {
  const date = parseZonedDateTime(text);
  if (!date)
    throw new NonRetryableError(
      `'${property}' must be an ISO-8601 date-time such as 2024-01-01T00:00:00Z, got '${text}'`,
    );
  return date.toUTC().toISO()!;
}
