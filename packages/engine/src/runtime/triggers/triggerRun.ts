/**
 * What one evaluation of a trigger did: the executions it starts and its state before and after.
 * Evaluations are asynchronous (rendering, conditions, an HTTP or SQL poll), so the state may have
 * changed meanwhile (disabled through the API, a backfill started or paused): the evaluation's own
 * changes are merged into the state as it is at commit time, never the whole state written back.
 */
import type { Execution } from "../../model/execution.ts";
import type { TriggerKey, TriggerState } from "../../backend/records.ts";

export interface TriggerRun {
  key: TriggerKey;
  before: TriggerState;
  after: TriggerState;
  executions: Execution[];
}

const IDENTITY: ReadonlySet<string> = new Set(["namespace", "flowId", "triggerId", "updatedDate"]);

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** `current` with the fields the run changed (from `before` to `after`) applied. */
export function mergeTriggerState(current: TriggerState, run: Pick<TriggerRun, "before" | "after">): TriggerState {
  const merged: TriggerState = { ...current };
  const { before, after } = run;
  for (const field of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (IDENTITY.has(field) || same(before[field], after[field])) continue;
    if (field === "backfill") {
      mergeBackfill(merged, before, after);
      continue;
    }
    if (after[field] === undefined) delete merged[field];
    else merged[field] = after[field];
  }
  return merged;
}

/** A backfill replaced or deleted meanwhile is left alone; otherwise only its progress is taken. */
function mergeBackfill(merged: TriggerState, before: TriggerState, after: TriggerState): void {
  const current = merged.backfill;
  if (!current || current.start !== before.backfill?.start || current.end !== before.backfill?.end) return;
  if (!after.backfill) delete merged.backfill;
  else merged.backfill = { ...current, currentDate: after.backfill.currentDate };
}
