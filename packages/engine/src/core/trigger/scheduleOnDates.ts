/** `ScheduleOnDates`: start executions at listed dates. The scheduler drives it (`scheduler/scheduleOnDates.ts`). */
import { defineTrigger, z } from "@saker/sdk";
import { inputsProperty, recoverMissedSchedulesProperty, timezoneProperty } from "./schedule.ts";

export const ScheduleOnDates = defineTrigger({
  type: "io.kestra.plugin.core.trigger.ScheduleOnDates",
  triggerKind: "engine",
  title: "Start executions at given dates",
  description:
    "Starts an execution at each of `dates` (ISO-8601 date-times with an offset; may be an expression rendering a list).",
  examples: [
    {
      title: "Two dates",
      code: "id: on_dates\ntype: io.kestra.plugin.core.trigger.ScheduleOnDates\ndates:\n  - 2025-12-24T18:00:00+01:00\n  - 2025-12-31T18:00:00+01:00",
    },
  ],
  properties: z.object({
    dates: z.array(z.string()).describe("The dates to start an execution at."),
    timezone: timezoneProperty(true),
    inputs: inputsProperty(),
    recoverMissedSchedules: recoverMissedSchedulesProperty(),
  }),
  outputs: z.object({ date: z.string().describe("The date the execution was scheduled for.") }),
});
