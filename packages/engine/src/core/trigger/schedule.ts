/** `Schedule`: start executions on a cron schedule. The scheduler drives it (`scheduler/`). */
import { anyValue, conditions, defineTrigger, duration, map, raw, z } from "@saker/sdk";
import { cronError } from "../../scheduler/cron.ts";
import { isValidZone } from "../../model/dates.ts";
import { RECOVER_MISSED_SCHEDULES } from "../../scheduler/dueSchedules.ts";
import { withValidation } from "./withValidation.ts";

/** Valid with 5 or with 6 fields; which one `withSeconds` asks for is checked on the whole node. */
function cronShapeError(cron: string): string | undefined {
  const five = cronError(cron);
  if (!five) return undefined;
  return cronError(cron, { withSeconds: true }) ? five : undefined;
}

export const timezoneProperty = (dynamic: boolean) => {
  const schema = z.string().refine(isValidZone, { message: "must be a time zone id such as Europe/Paris or UTC" });
  return (dynamic ? schema : raw(schema))
    .optional()
    .describe("The time zone id the dates are read in; the server's zone by default.");
};

export const inputsProperty = () => map(anyValue()).optional().describe("Inputs of the executions started (rendered).");

export const recoverMissedSchedulesProperty = () =>
  z
    .enum(RECOVER_MISSED_SCHEDULES)
    .optional()
    .describe("Dates missed while the scheduler was not running: run ALL (default), only the LAST, or NONE.");

const definition = defineTrigger({
  type: "io.kestra.plugin.core.trigger.Schedule",
  aliases: ["io.kestra.core.models.triggers.types.Schedule"],
  triggerKind: "engine",
  title: "Start executions on a cron schedule",
  description:
    "Starts an execution at each date of `cron` (5 fields, or 6 with seconds first when `withSeconds` is true; nicknames @yearly @annually @monthly @weekly @daily @midnight @hourly), in `timezone`. The execution sees `trigger.date`, `trigger.next` and `trigger.previous`. Conditions are tested with `trigger.date` set to the schedule date.",
  examples: [
    {
      title: "Every day at 9:00 in Paris",
      code: 'id: daily\ntype: io.kestra.plugin.core.trigger.Schedule\ncron: "0 9 * * *"\ntimezone: Europe/Paris',
    },
    {
      title: "The first Monday of each month",
      code: 'id: monthly\ntype: io.kestra.plugin.core.trigger.Schedule\ncron: "0 11 * * 1"\nconditions:\n  - type: io.kestra.plugin.core.condition.DayWeekInMonth\n    dayOfWeek: MONDAY\n    dayInMonth: FIRST',
    },
  ],
  properties: z.object({
    cron: raw(
      z.string().superRefine((cron, ctx) => {
        const problem = cronShapeError(cron);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
      }),
    ).describe("The cron expression."),
    withSeconds: z.boolean().default(false).describe("The cron has a 6th field, first, for seconds."),
    timezone: timezoneProperty(false),
    inputs: inputsProperty(),
    lateMaximumDelay: duration()
      .optional()
      .describe("Skip a schedule date whose execution would start later than this after it."),
    recoverMissedSchedules: recoverMissedSchedulesProperty(),
    backfill: map(anyValue()).optional().describe("Deprecated: backfills are started from the API or the UI."),
    scheduleConditions: conditions().optional().describe("Deprecated: use `conditions`."),
  }),
  outputs: z.object({
    date: z.string().describe("The schedule date."),
    next: z.string().optional().describe("The next schedule date."),
    previous: z.string().optional().describe("The previous schedule date."),
  }),
});

export const Schedule = withValidation(definition, (node) => {
  if (typeof node.cron !== "string" || cronShapeError(node.cron)) return [];
  const withSeconds = node.withSeconds === true || node.withSeconds === "true";
  const problem = cronError(node.cron, { withSeconds });
  return problem ? [`cron: ${problem}`] : [];
});
