/** Calendar conditions: `DayWeek`, `DayWeekInMonth`, `Weekend`. */
import { defineCondition, z } from "@saker/sdk";
import { dateProperty, dayOfWeek, DAYS_OF_WEEK, renderLocalDate } from "./dateCondition.ts";

export const DayWeek = defineCondition({
  type: "io.kestra.plugin.core.condition.DayWeek",
  aliases: [
    "io.kestra.core.models.conditions.types.DayWeekCondition",
    "io.kestra.plugin.core.condition.DayWeekCondition",
  ],
  title: "Match a day of the week",
  description: "True when `date` falls on `dayOfWeek`.",
  examples: [{ title: "Mondays only", code: "type: io.kestra.plugin.core.condition.DayWeek\ndayOfWeek: MONDAY" }],
  properties: z.object({
    date: dateProperty(),
    dayOfWeek: z.enum(DAYS_OF_WEEK).describe("The day of the week."),
  }),
  async test(props, ctx) {
    return dayOfWeek(await renderLocalDate(props.date, ctx)) === props.dayOfWeek;
  },
});

export const DAYS_IN_MONTH = ["FIRST", "SECOND", "THIRD", "FOURTH", "LAST"] as const;

export const DayWeekInMonth = defineCondition({
  type: "io.kestra.plugin.core.condition.DayWeekInMonth",
  aliases: [
    "io.kestra.core.models.conditions.types.DayWeekInMonthCondition",
    "io.kestra.plugin.core.condition.DayWeekInMonthCondition",
  ],
  title: "Match the first, second… or last given weekday of the month",
  description: "True when `date` is the `dayInMonth` (FIRST, SECOND, THIRD, FOURTH or LAST) `dayOfWeek` of its month.",
  examples: [
    {
      title: "The first Monday of each month",
      code: "type: io.kestra.plugin.core.condition.DayWeekInMonth\ndayOfWeek: MONDAY\ndayInMonth: FIRST",
    },
  ],
  properties: z.object({
    date: dateProperty(),
    dayOfWeek: z.enum(DAYS_OF_WEEK).describe("The day of the week."),
    dayInMonth: z.enum(DAYS_IN_MONTH).describe("Which occurrence of that day in the month."),
  }),
  async test(props, ctx) {
    const date = await renderLocalDate(props.date, ctx);
    if (dayOfWeek(date) !== props.dayOfWeek) return false;
    const occurrence = Math.ceil(date.day / 7);
    if (props.dayInMonth === "LAST") return date.day + 7 > date.daysInMonth!;
    return occurrence === DAYS_IN_MONTH.indexOf(props.dayInMonth) + 1;
  },
});

export const Weekend = defineCondition({
  type: "io.kestra.plugin.core.condition.Weekend",
  aliases: [
    "io.kestra.core.models.conditions.types.WeekendCondition",
    "io.kestra.plugin.core.condition.WeekendCondition",
  ],
  title: "Match Saturdays and Sundays",
  description: "True when `date` falls on a Saturday or a Sunday.",
  properties: z.object({ date: dateProperty() }),
  async test(props, ctx) {
    const day = dayOfWeek(await renderLocalDate(props.date, ctx));
    return day === "SATURDAY" || day === "SUNDAY";
  },
});
