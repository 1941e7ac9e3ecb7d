/** Time-range conditions: `TimeBetween` (time of day) and `DateTimeBetween` (instants). */
import { SakerError, defineCondition, raw, z } from "@saker/sdk";
import { offsetTimeOf, parseOffsetTime, parseZonedDateTime } from "../../model/dates.ts";
import { dateProperty, renderZonedDate } from "./dateCondition.ts";

function between(value: number, after: number | undefined, before: number | undefined): boolean {
  if (after === undefined && before === undefined)
    throw new SakerError("CONDITION_INVALID", "Invalid condition with no before nor after");
  return (after === undefined || value > after) && (before === undefined || value < before);
}

const offsetTime = (what: string) =>
  raw(
    z.string().refine((text) => parseOffsetTime(text) !== undefined, {
      message: "must be a time with an offset, such as 08:00:00+02:00 or 08:00:00Z",
    }),
  )
    .optional()
    .describe(what);

export const TimeBetween = defineCondition({
  type: "io.kestra.plugin.core.condition.TimeBetween",
  aliases: [
    "io.kestra.core.models.conditions.types.TimeBetweenCondition",
    "io.kestra.plugin.core.condition.TimeBetweenCondition",
  ],
  title: "Match a time of day",
  description:
    "True when the time of `date` is strictly after `after` and strictly before `before` (either may be left out). Times carry an offset and are compared as instants of one day.",
  examples: [
    {
      title: "Office hours (Paris, winter)",
      code: 'type: io.kestra.plugin.core.condition.TimeBetween\nafter: "09:00:00+01:00"\nbefore: "18:00:00+01:00"',
    },
  ],
  properties: z.object({
    date: dateProperty(),
    after: offsetTime("The time must be after this one (ISO-8601 time with offset)."),
    before: offsetTime("The time must be before this one (ISO-8601 time with offset)."),
  }),
  async test(props, ctx) {
    const time = offsetTimeOf(await renderZonedDate(props.date, ctx));
    return between(
      time,
      props.after === undefined ? undefined : parseOffsetTime(props.after),
      props.before === undefined ? undefined : parseOffsetTime(props.before),
    );
  },
});

const zonedDateTime = (what: string) =>
  raw(
    z.string().refine((text) => parseZonedDateTime(text) !== undefined, {
      message: "must be an ISO-8601 date-time with an offset, such as 2024-01-01T00:00:00Z",
    }),
  )
    .optional()
    .describe(what);

export const DateTimeBetween = defineCondition({
  type: "io.kestra.plugin.core.condition.DateTimeBetween",
  aliases: [
    "io.kestra.core.models.conditions.types.DateTimeBetweenCondition",
    "io.kestra.plugin.core.condition.DateTimeBetweenCondition",
  ],
  title: "Match a date-time range",
  description: "True when `date` is strictly after `after` and strictly before `before` (either may be left out).",
  properties: z.object({
    date: dateProperty(),
    after: zonedDateTime("The date must be after this one (ISO-8601 with offset)."),
    before: zonedDateTime("The date must be before this one (ISO-8601 with offset)."),
  }),
  async test(props, ctx) {
    const date = (await renderZonedDate(props.date, ctx)).toMillis();
    const bound = (text: string | undefined) => (text === undefined ? undefined : parseZonedDateTime(text)!.toMillis());
    return between(date, bound(props.after), bound(props.before));
  },
});
