/** `PublicHoliday`: whether a date is a public holiday of a country (and subdivision). */
import { SakerError, defineCondition, z } from "@saker/sdk";
import { isPublicHoliday } from "../../model/publicHolidays.ts";
import { dateProperty, renderLocalDate } from "./dateCondition.ts";

/** The country of this process's locale (`en-US` → `US`), Kestra's default. */
function defaultCountry(): string | undefined {
  const locale = Intl.DateTimeFormat().resolvedOptions().locale;
  return /[-_]([A-Z]{2})\b/.exec(locale)?.[1];
}

export const PublicHoliday = defineCondition({
  type: "io.kestra.plugin.core.condition.PublicHoliday",
  aliases: [
    "io.kestra.core.models.conditions.types.PublicHolidayCondition",
    "io.kestra.plugin.core.condition.PublicHolidayCondition",
  ],
  title: "Match public holidays",
  description:
    "True when `date` is a public holiday in `country` (ISO 3166-1 alpha-2; the locale's country by default), optionally in a `subDivision` (ISO 3166-2). Calendars come from the date-holidays package.",
  examples: [
    { title: "French public holidays", code: "type: io.kestra.plugin.core.condition.PublicHoliday\ncountry: FR" },
    {
      title: "Working days only",
      code: "type: io.kestra.plugin.core.condition.Not\nconditions:\n  - type: io.kestra.plugin.core.condition.PublicHoliday\n    country: FR\n  - type: io.kestra.plugin.core.condition.Weekend",
    },
  ],
  properties: z.object({
    date: dateProperty(),
    country: z.string().optional().describe("ISO 3166-1 alpha-2 country code; the locale's country when not set."),
    subDivision: z.string().optional().describe("ISO 3166-2 subdivision (state, province) code, e.g. `BY` or `DE-BY`."),
  }),
  async test(props, ctx) {
    const country = props.country ?? defaultCountry();
    if (!country) throw new SakerError("CONDITION_INVALID", "no country set and none in the locale of the server");
    const date = await renderLocalDate(props.date, ctx);
    return isPublicHoliday(date.toISODate()!, country, props.subDivision);
  },
});
