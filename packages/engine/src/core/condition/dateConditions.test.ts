import { describe, expect, it } from "vitest";
import { check } from "../../scheduler/__tests__/support.ts";

const C = "io.kestra.plugin.core.condition.";
const at = (date: string) => ({ variables: { trigger: { date } } });

describe("DayWeek", () => {
  it("reads the trigger date by default, in its own offset", async () => {
    // 2024-03-04 is a Monday
    expect(await check({ type: `${C}DayWeek`, dayOfWeek: "MONDAY" }, at("2024-03-04T10:00:00+01:00"))).toBe(true);
    expect(await check({ type: `${C}DayWeek`, dayOfWeek: "MONDAY" }, at("2024-03-05T10:00:00Z"))).toBe(false);
    // 23:30 on Sunday in New York is Monday in UTC: the local date counts
    expect(await check({ type: `${C}DayWeek`, dayOfWeek: "SUNDAY" }, at("2024-03-03T23:30:00-05:00"))).toBe(true);
  });
  it("takes a plain date, a zone in brackets, and an explicit date", async () => {
    expect(await check({ type: `${C}DayWeek`, dayOfWeek: "FRIDAY", date: "2024-03-08" })).toBe(true);
    expect(
      await check({ type: `${C}DayWeek`, dayOfWeek: "FRIDAY", date: "2024-03-08T09:00:00+01:00[Europe/Paris]" }),
    ).toBe(true);
    expect(
      await check(
        { type: "io.kestra.core.models.conditions.types.DayWeekCondition", dayOfWeek: "SATURDAY", date: "{{ other }}" },
        { variables: { other: "2024-03-09" } },
      ),
    ).toBe(true);
  });
  it("rejects a bad day and an unreadable date", async () => {
    await expect(check({ type: `${C}DayWeek`, dayOfWeek: "FUNDAY" }, at("2024-03-04"))).rejects.toThrow(
      /dayOfWeek.*MONDAY/,
    );
    await expect(check({ type: `${C}DayWeek`, dayOfWeek: "MONDAY" }, at("2024-03-04T10:00:00"))).rejects.toThrow(
      /not an ISO-8601/,
    );
    await expect(check({ type: `${C}DayWeek`, dayOfWeek: "MONDAY" })).rejects.toThrow(/not an ISO-8601/);
  });
});

describe("DayWeekInMonth", () => {
  // March 2024: Mondays are the 4th, 11th, 18th, 25th
  const cases: [string, string, boolean][] = [
    ["2024-03-04", "FIRST", true],
    ["2024-03-11", "FIRST", false],
    ["2024-03-11", "SECOND", true],
    ["2024-03-18", "THIRD", true],
    ["2024-03-25", "FOURTH", true],
    ["2024-03-25", "LAST", true],
    ["2024-03-18", "LAST", false],
  ];
  it.each(cases)("%s is the %s Monday: %s", async (date, dayInMonth, expected) => {
    expect(await check({ type: `${C}DayWeekInMonth`, dayOfWeek: "MONDAY", dayInMonth, date })).toBe(expected);
  });
  it("a fifth occurrence is LAST but not FOURTH; another weekday never matches", async () => {
    // April 2024 has five Mondays: 1, 8, 15, 22, 29
    expect(
      await check({ type: `${C}DayWeekInMonth`, dayOfWeek: "MONDAY", dayInMonth: "LAST", date: "2024-04-29" }),
    ).toBe(true);
    expect(
      await check({ type: `${C}DayWeekInMonth`, dayOfWeek: "MONDAY", dayInMonth: "FOURTH", date: "2024-04-29" }),
    ).toBe(false);
    expect(
      await check({ type: `${C}DayWeekInMonth`, dayOfWeek: "TUESDAY", dayInMonth: "FIRST", date: "2024-03-04" }),
    ).toBe(false);
  });
  it("rejects a bad dayInMonth", async () => {
    await expect(
      check({ type: `${C}DayWeekInMonth`, dayOfWeek: "MONDAY", dayInMonth: "FIFTH", date: "2024-03-04" }),
    ).rejects.toThrow(/dayInMonth/);
  });
});

describe("Weekend", () => {
  it("matches Saturday and Sunday only", async () => {
    expect(await check({ type: `${C}Weekend` }, at("2024-03-09T12:00:00Z"))).toBe(true);
    expect(await check({ type: `${C}Weekend` }, at("2024-03-10T12:00:00Z"))).toBe(true);
    expect(await check({ type: `${C}Weekend` }, at("2024-03-11T12:00:00Z"))).toBe(false);
  });
});

describe("TimeBetween", () => {
  it("compares times of day as instants, bounds excluded", async () => {
    const node = { type: `${C}TimeBetween`, after: "09:00:00Z", before: "18:00:00Z" };
    expect(await check(node, at("2024-03-04T12:00:00Z"))).toBe(true);
    expect(await check(node, at("2024-03-04T09:00:00Z"))).toBe(false);
    expect(await check(node, at("2024-03-04T19:00:00Z"))).toBe(false);
    // 10:30 in Paris (+01:00) is 09:30 UTC
    expect(await check(node, at("2024-03-04T10:30:00+01:00"))).toBe(true);
    // 09:30+01:00 is 08:30 UTC
    expect(await check(node, at("2024-03-04T09:30:00+01:00"))).toBe(false);
  });
  it("takes one bound alone, and fails with none", async () => {
    expect(await check({ type: `${C}TimeBetween`, after: "08:00:00+02:00" }, at("2024-06-04T08:30:00+02:00"))).toBe(
      true,
    );
    expect(await check({ type: `${C}TimeBetween`, before: "08:00:00+02:00" }, at("2024-06-04T08:30:00+02:00"))).toBe(
      false,
    );
    await expect(check({ type: `${C}TimeBetween` }, at("2024-06-04T08:30:00Z"))).rejects.toThrow(
      "Invalid condition with no before nor after",
    );
  });
  it("rejects a time without an offset", async () => {
    await expect(check({ type: `${C}TimeBetween`, after: "09:00:00" }, at("2024-03-04T12:00:00Z"))).rejects.toThrow(
      /after.*time with an offset/,
    );
  });
});

describe("DateTimeBetween", () => {
  const node = { type: `${C}DateTimeBetween`, after: "2024-01-01T00:00:00Z", before: "2024-02-01T00:00:00+01:00" };
  it("is strictly between the two instants", async () => {
    expect(await check(node, at("2024-01-15T10:00:00Z"))).toBe(true);
    expect(await check(node, at("2024-01-01T00:00:00Z"))).toBe(false);
    expect(await check(node, at("2024-01-31T23:30:00Z"))).toBe(false); // after 2024-01-31T23:00Z
    expect(await check(node, at("2024-01-01T00:30:00+01:00"))).toBe(false); // 2023-12-31T23:30Z
  });
  it("takes one bound alone and rejects a date without an offset", async () => {
    expect(
      await check({ type: `${C}DateTimeBetween`, before: "2024-01-01T00:00:00Z" }, at("2023-12-31T23:59:59Z")),
    ).toBe(true);
    await expect(
      check({ type: `${C}DateTimeBetween`, after: "2024-01-01" }, at("2024-01-15T10:00:00Z")),
    ).rejects.toThrow(/after.*offset/);
  });
});

describe("PublicHoliday", () => {
  it("knows national and regional holidays", async () => {
    expect(await check({ type: `${C}PublicHoliday`, country: "FR" }, at("2024-07-14T10:00:00+02:00"))).toBe(true);
    expect(await check({ type: `${C}PublicHoliday`, country: "FR" }, at("2024-07-15T10:00:00+02:00"))).toBe(false);
    expect(await check({ type: `${C}PublicHoliday`, country: "US", date: "2024-07-04" })).toBe(true);
    // Epiphany is a holiday in Bavaria, not in Berlin
    expect(await check({ type: `${C}PublicHoliday`, country: "DE", subDivision: "BY", date: "2024-01-06" })).toBe(true);
    expect(await check({ type: `${C}PublicHoliday`, country: "DE", subDivision: "DE-BE", date: "2024-01-06" })).toBe(
      false,
    );
  });
  it("rejects an unknown country or subdivision", async () => {
    await expect(check({ type: `${C}PublicHoliday`, country: "ZZ", date: "2024-01-01" })).rejects.toThrow(
      /unknown country 'ZZ'/,
    );
    await expect(
      check({ type: `${C}PublicHoliday`, country: "FR", subDivision: "XX9", date: "2024-01-01" }),
    ).rejects.toThrow(/unknown subdivision/);
  });
});
