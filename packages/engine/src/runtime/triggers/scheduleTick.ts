/**
 * One scheduler tick for a Schedule or ScheduleOnDates trigger: the dates due since the last one
 * handled (recovering missed ones per `recoverMissedSchedules`), filtered by the schedule's
 * conditions, each turned into an execution; and the trigger state to save with them. A running
 * backfill is advanced the same way, over its own range.
 */
import { parseDuration } from "@saker/sdk";
import type { Execution } from "../../model/execution.ts";
import { parseCron, type CronSchedule } from "../../scheduler/cron.ts";
import { createConditionContext } from "../../scheduler/conditionContext.ts";
import { formatZoned } from "../../model/dates.ts";
import {
  dueScheduleDates,
  selectDueDates,
  type RecoverMissedSchedules,
  type ScheduleDue,
} from "../../scheduler/dueSchedules.ts";
import { scheduleAccepts, scheduleConditionVariables } from "../../scheduler/scheduleConditions.ts";
import { dueScheduleOnDates, parseScheduleDates } from "../../scheduler/scheduleOnDates.ts";
import { scheduleVariables, type ScheduleVariables } from "../../scheduler/scheduleVariables.ts";
import type { TriggerState } from "../../backend/records.ts";
import type { RoleContext } from "../roleContext.ts";
import { SCHEDULE, type DeclaredTrigger } from "./flowTriggers.ts";
import { buildTriggeredExecution, describe, triggerLog, type TriggeredRequest } from "./triggeredExecution.ts";

/** At most this many dates per trigger and tick; the rest follow on the next ticks. */
const MAX_DATES_PER_TICK = 500;

export interface TickResult {
  executions: Execution[];
  state: TriggerState;
  /** Called once the executions are stored (a polling trigger's `onStarted`). */
  onStarted?: () => Promise<void>;
}

function cronOf(trigger: DeclaredTrigger["trigger"]): CronSchedule {
  return parseCron(String(trigger.cron), {
    withSeconds: trigger.withSeconds === true || trigger.withSeconds === "true",
    ...(typeof trigger.timezone === "string" ? { timezone: trigger.timezone } : {}),
  });
}

function dueOptions(trigger: DeclaredTrigger["trigger"], now: Date) {
  const recover = trigger.recoverMissedSchedules as RecoverMissedSchedules | undefined;
  return {
    now,
    ...(recover ? { recoverMissedSchedules: recover } : {}),
    ...(typeof trigger.lateMaximumDelay === "string"
      ? { lateMaximumDelayMs: parseDuration(trigger.lateMaximumDelay) }
      : {}),
    limit: MAX_DATES_PER_TICK,
  };
}

async function accepts(role: RoleContext, declared: DeclaredTrigger, dates: ScheduleVariables): Promise<boolean> {
  const env = { registry: role.registry, renderer: role.renderer };
  const base = role.renders.variables({ flow: declared.flow }, false);
  const ctx = createConditionContext(env, { flow: declared.flow, variables: scheduleConditionVariables(base, dates) });
  return scheduleAccepts(declared.trigger, ctx.test, (error) =>
    triggerLog(
      role,
      declared.flow,
      declared.trigger.id,
      "WARN",
      `A condition could not be evaluated: ${describe(error)}`,
    ),
  );
}

async function executionsFor(
  role: RoleContext,
  declared: DeclaredTrigger,
  dates: Date[],
  variablesOf: (date: Date) => Promise<ScheduleVariables>,
  extra: Pick<TriggeredRequest, "inputs" | "labels"> = {},
): Promise<Execution[]> {
  const executions: Execution[] = [];
  for (const date of dates) {
    const variables = await variablesOf(date);
    if (!(await accepts(role, declared, variables))) continue;
    try {
      executions.push(
        await buildTriggeredExecution(role, {
          ...declared,
          ...extra,
          variables: { ...variables },
          scheduleDate: date.toISOString(),
        }),
      );
    } catch (error) {
      triggerLog(
        role,
        declared.flow,
        declared.trigger.id,
        "ERROR",
        `Unable to start an execution for ${variables.date}: ${describe(error)}`,
      );
    }
  }
  return executions;
}

function variablesFor(role: RoleContext, declared: DeclaredTrigger, schedule: CronSchedule) {
  const hasConditions =
    Array.isArray(declared.trigger.conditions) || Array.isArray(declared.trigger.scheduleConditions);
  return (date: Date) =>
    scheduleVariables(schedule, date, hasConditions ? { accept: (v) => accepts(role, declared, v) } : {});
}

/** What decides a schedule's dates; when it changes, the saved next date no longer holds. */
export function scheduleSignature(declared: DeclaredTrigger): string {
  const { cron, withSeconds, timezone, dates } = declared.trigger;
  return JSON.stringify([cron ?? null, withSeconds ?? null, timezone ?? null, dates ?? null]);
}

/** Schedule and ScheduleOnDates: the due dates since `state.lastDate`, then the backfill if any. */
export async function scheduleTick(
  role: RoleContext,
  declared: DeclaredTrigger,
  state: TriggerState,
  now: Date,
): Promise<TickResult> {
  const { trigger } = declared;
  const last = state.lastDate ? new Date(state.lastDate) : undefined;
  let due: ScheduleDue;
  let variablesOf: (date: Date) => Promise<ScheduleVariables>;
  if (trigger.type === SCHEDULE) {
    const schedule = cronOf(trigger);
    due = dueScheduleDates(schedule, last, dueOptions(trigger, now));
    variablesOf = variablesFor(role, declared, schedule);
  } else {
    const rendered = await role.renderer.renderValue(
      trigger.dates,
      role.renders.variables({ flow: declared.flow }, false),
    );
    const dates = parseScheduleDates((Array.isArray(rendered) ? rendered : [rendered]).map(String));
    due = dueScheduleOnDates(dates, last, dueOptions(trigger, now));
    const zone = typeof trigger.timezone === "string" ? trigger.timezone : undefined;
    variablesOf = async (date) => ({ date: formatZoned(date, zone) });
  }
  const executions = await executionsFor(role, declared, due.due, variablesOf);
  for (const skipped of due.skipped)
    triggerLog(
      role,
      declared.flow,
      trigger.id,
      "INFO",
      `Schedule date ${skipped.toISOString()} skipped (recoverMissedSchedules / lateMaximumDelay)`,
    );
  const next: TriggerState = {
    ...state,
    schedule: scheduleSignature(declared),
    lastDate: (due.last ?? last ?? now).toISOString(),
    ...(due.next ? { nextDate: due.next.toISOString() } : {}),
    ...(executions.length ? { executionId: executions[executions.length - 1]!.id } : {}),
  };
  if (!due.next) delete next.nextDate;
  if (state.backfill && !state.backfill.paused && trigger.type === SCHEDULE)
    return backfillTick(role, declared, next, executions, now);
  return { executions, state: next };
}

/** Advances a backfill: every date in `(currentDate, end]` (end at most now), a page at a time. */
async function backfillTick(
  role: RoleContext,
  declared: DeclaredTrigger,
  state: TriggerState,
  executions: Execution[],
  now: Date,
): Promise<TickResult> {
  const backfill = state.backfill!;
  const schedule = cronOf(declared.trigger);
  const end = new Date(Math.min(backfill.end ? new Date(backfill.end).getTime() : now.getTime(), now.getTime()));
  const from = new Date(new Date(backfill.currentDate).getTime() - 1);
  const dates = selectDueDates(schedule.between(from, end, MAX_DATES_PER_TICK), {
    now: end,
    recoverMissedSchedules: "ALL",
  }).due;
  const started = await executionsFor(role, declared, dates, variablesFor(role, declared, schedule), {
    ...(backfill.inputs ? { inputs: backfill.inputs } : {}),
    labels: [...(backfill.labels ?? []), { key: "system.backfill", value: "true" }],
  });
  const lastDate = dates[dates.length - 1];
  const finished = dates.length < MAX_DATES_PER_TICK;
  const nextState: TriggerState = { ...state };
  if (finished) delete nextState.backfill;
  else nextState.backfill = { ...backfill, currentDate: new Date(lastDate!.getTime() + 1).toISOString() };
  return { executions: [...executions, ...started], state: nextState };
}
