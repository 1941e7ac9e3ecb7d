/**
 * Public holidays of a country (and subdivision): Kestra uses the Jollyday calendars; Saker uses
 * the `date-holidays` package, counting its `public` holidays. Read by the `PublicHoliday`
 * condition and the `isPublicHoliday()` expression function.
 */
import { SakerError } from "@saker/sdk";
import type HolidaysType from "date-holidays";

type Holidays = HolidaysType;
const calendars = new Map<string, Holidays>();
let HolidaysClass: typeof HolidaysType | undefined;

/** date-holidays holds every country's data; it is loaded on first use, not at start-up. */
async function loadHolidays(): Promise<typeof HolidaysType> {
  HolidaysClass ??= (await import("date-holidays")).default;
  return HolidaysClass;
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
