/**
 * The conditions a Schedule (or ScheduleOnDates) tests for a date: its `conditions` and the
 * deprecated `scheduleConditions`, keeping only the types Kestra allows on a schedule (those that
 * read a date or an expression). Conditions on an execution (ExecutionStatus, ExecutionFlow…) have
 * none to read when a schedule fires, and Kestra leaves them out.
 */
import type { ConditionContext } from "@saker/sdk";
import type { ScheduleVariables } from "./scheduleVariables.ts";

const C = "io.kestra.plugin.core.condition.";

/** Condition types a schedule evaluates (Kestra's `ScheduleCondition`s). */
export const SCHEDULE_CONDITION_TYPES: ReadonlySet<string> = new Set(
  [
    "DateTimeBetween",
    "DayWeek",
    "DayWeekInMonth",
    "ExecutionOutputs",
    "Expression",
    "Not",
    "Or",
    "PublicHoliday",
    "TimeBetween",
    "Weekend",
  ].map((name) => `${C}${name}`),
);

type Node = Readonly<Record<string, unknown>>;

/** The schedule conditions of a trigger node (type ids already canonical, as parseFlow leaves them). */
export function scheduleConditions(trigger: Node): Node[] {
  const list = (value: unknown) => (Array.isArray(value) ? (value as Node[]) : []);
  return [...list(trigger.conditions), ...list(trigger.scheduleConditions)].filter((c) =>
    SCHEDULE_CONDITION_TYPES.has(String(c.type)),
  );
}

/** The variables schedule conditions see for one date: the dates as `trigger` and as `schedule`. */
export function scheduleConditionVariables(
  base: Readonly<Record<string, unknown>>,
  dates: ScheduleVariables,
): Record<string, unknown> {
  return { ...base, trigger: dates, schedule: dates };
}

/** Whether every schedule condition holds for the date; a condition that fails to evaluate counts as false. */
export async function scheduleAccepts(
  trigger: Node,
  test: ConditionContext["test"],
  onError?: (error: unknown) => void,
): Promise<boolean> {
  const conditions = scheduleConditions(trigger);
  if (conditions.length === 0) return true;
  try {
    return (await test(conditions)).every(Boolean);
  } catch (error) {
    onError?.(error);
    return false;
  }
}
