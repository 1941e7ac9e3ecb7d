/**
 * `PublicHoliday`: whether a date is a public holiday of a country (and subdivision). Kestra uses
 * the Jollyday calendars; Saker uses the `date-holidays` package, counting its `public` holidays.
 */
import { SakerError, defineCondition, z } from "@saker/sdk";
import type HolidaysType from "date-holidays";
import { dateProperty, renderLocalDate } from "./dateCondition.ts";

type Holidays = HolidaysType;
const calendars = new Map<string, Holidays>();
let HolidaysClass: typeof HolidaysType | undefined;

/** date-holidays holds every country's data; it is loaded on first use, not at start-up. */
async function loadHolidays(): Promise<typeof HolidaysType> {
  HolidaysClass ??= (await import("date-holidays")).default;
  return HolidaysClass;
}

/** The country of this process's locale (`en-US` → `US`), Kestra's default. */
function defaultCountry(): string | undefined {
  const locale = Intl.DateTimeFormat().resolvedOptions().locale;
  return /[-_]([A-Z]{2})\b/.exec(locale)?.[1];
}

function calendar(Holidays: typeof HolidaysType, country: string, subDivision: string | undefined): Holidays {
  const code = country.trim().toUpperCase();
  // ISO 3166-2 codes may repeat the country: DE-BY.
  const sub = subDivision
    ?.trim()
    .toUpperCase()
    .replace(new RegExp(`^${code}-`), "");
  const key = `${code}/${sub ?? ""}`;
  let found = calendars.get(key);
  if (!found) {
    const probe = new Holidays();
    if (!probe.getCountries()[code])
      throw new SakerError("CONDITION_INVALID", `unknown country '${country}' (ISO 3166-1 alpha-2 expected)`);
    if (sub && !probe.getStates(code)?.[sub])
      throw new SakerError("CONDITION_INVALID", `unknown subdivision '${subDivision}' of ${code}`);
    found = sub ? new Holidays(code, sub, { types: ["public"] }) : new Holidays(code, { types: ["public"] });
    calendars.set(key, found);
  }
  return found;
}

/** Whether `isoDate` (`2024-07-14`) is a public holiday of the country (and subdivision). */
export async function isPublicHoliday(isoDate: string, country: string, subDivision?: string): Promise<boolean> {
  const holidays = calendar(await loadHolidays(), country, subDivision).getHolidays(Number(isoDate.slice(0, 4))) || [];
  return holidays.some((h) => h.type === "public" && h.date.startsWith(isoDate));
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
