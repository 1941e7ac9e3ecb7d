import { Settings } from "luxon";
import { afterEach, describe, expect, it } from "vitest";
import { renderTemplate } from "../index.ts";

// Kestra formats every date with `withZone(timeZone ?? ZoneId.systemDefault())`, so a date that
// carries its own offset is shown in the system zone when the filter names no timeZone.
describe("date filters without a timeZone use the system zone", () => {
  const saved = Settings.defaultZone;
  afterEach(() => {
    Settings.defaultZone = saved;
  });

  it("converts an offset date to the system zone", async () => {
    Settings.defaultZone = "Asia/Kolkata";
    expect(await renderTemplate("{{ d | date }}", { d: "2013-09-08T16:19:12+01:00" })).toBe(
      "2013-09-08T20:49:12.000000+05:30",
    );
    expect(await renderTemplate("{{ d | date('HH:mm') }}", { d: "2013-09-08T16:19:12Z" })).toBe("21:49");
    expect(await renderTemplate("{{ d | dateAdd(1, 'HOURS', 'HH:mm') }}", { d: "2013-09-08T16:19:12Z" })).toBe("22:49");
  });

  it("reads a date without an offset in the system zone", async () => {
    Settings.defaultZone = "America/New_York";
    expect(await renderTemplate("{{ d | date }}", { d: "2013-09-08T16:19:12" })).toBe(
      "2013-09-08T16:19:12.000000-04:00",
    );
    expect(await renderTemplate("{{ d | timestamp }}", { d: "2013-09-08T16:19:12" })).toBe("1378671552");
  });

  it("keeps an explicit timeZone over the system zone", async () => {
    Settings.defaultZone = "Asia/Kolkata";
    expect(await renderTemplate("{{ d | date('HH:mm', timeZone='UTC') }}", { d: "2013-09-08T16:19:12+01:00" })).toBe(
      "15:19",
    );
  });

  it("refuses an unknown locale form", async () => {
    await expect(
      renderTemplate("{{ d | date('EEEE', timeZone='UTC', locale='FR') }}", { d: "2013-09-08T16:19:12Z" }),
    ).rejects.toThrow(/'FR' is not a locale/);
  });
});
