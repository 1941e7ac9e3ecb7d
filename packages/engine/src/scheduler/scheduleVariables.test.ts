import { describe, expect, it } from "vitest";
import { parseCron } from "./cron.ts";
import { formatZoned, parseOffsetTime, parseZonedDateTime } from "../model/dates.ts";
import { plainScheduleVariables, scheduleVariables } from "./scheduleVariables.ts";

describe("schedule variables", () => {
  it("gives date, next and previous in the trigger's zone, as Kestra writes them", () => {
    const s = parseCron("0 9 * * *", { timezone: "Europe/Paris" });
    expect(plainScheduleVariables(s, new Date("2024-03-31T07:00:00Z"))).toEqual({
      date: "2024-03-31T09:00:00+02:00",
      next: "2024-04-01T09:00:00+02:00",
      previous: "2024-03-30T09:00:00+01:00",
    });
    const utc = parseCron("*/5 * * * *", { timezone: "UTC" });
    expect(plainScheduleVariables(utc, new Date("2024-03-05T10:05:00Z"))).toEqual({
      date: "2024-03-05T10:05:00Z",
      next: "2024-03-05T10:10:00Z",
      previous: "2024-03-05T10:00:00Z",
    });
  });

  it("with conditions, next and previous are the neighbouring accepted dates", async () => {
    const daily = parseCron("0 12 * * *", { timezone: "UTC" });
    const weekdays = async (v: { date: string }) => {
      const day = new Date(v.date).getUTCDay();
      return day !== 0 && day !== 6;
    };
    // Friday 2024-03-08: next weekday is Monday the 11th, previous Thursday the 7th
    const friday = await scheduleVariables(daily, new Date("2024-03-08T12:00:00Z"), { accept: weekdays });
    expect(friday).toEqual({
      date: "2024-03-08T12:00:00Z",
      next: "2024-03-11T12:00:00Z",
      previous: "2024-03-07T12:00:00Z",
    });
    const monday = await scheduleVariables(daily, new Date("2024-03-11T12:00:00Z"), { accept: weekdays });
    expect(monday.previous).toBe("2024-03-08T12:00:00Z");
    const none = await scheduleVariables(daily, new Date("2024-03-11T12:00:00Z"), {
      accept: async () => false,
      maxSteps: 20,
    });
    expect(none).toEqual({ date: "2024-03-11T12:00:00Z" });
  });
});

describe("dates", () => {
  it("formats like Java's ISO offset date-time", () => {
    expect(formatZoned(new Date("2024-01-01T00:00:00Z"), "UTC")).toBe("2024-01-01T00:00:00Z");
    expect(formatZoned(new Date("2024-01-01T00:00:00.500Z"), "Asia/Kolkata")).toBe("2024-01-01T05:30:00.5+05:30");
    expect(formatZoned(new Date("2024-07-01T12:00:00Z"), "America/New_York")).toBe("2024-07-01T08:00:00-04:00");
  });
  it("parses zoned date-times only with an offset, and offset times", () => {
    expect(parseZonedDateTime("2024-01-01T10:00:00+01:00")?.toUTC().toISO()).toBe("2024-01-01T09:00:00.000Z");
    expect(parseZonedDateTime("2024-01-01T10:00+01:00[Europe/Paris]")?.zoneName).toBe("Europe/Paris");
    expect(parseZonedDateTime("2024-01-01T10:00:00.123456Z")?.millisecond).toBe(123);
    expect(parseZonedDateTime("2024-01-01T10:00:00")).toBeUndefined();
    expect(parseZonedDateTime("2024-13-01T10:00:00Z")).toBeUndefined();
    expect(parseOffsetTime("10:00:00+01:00")).toBe(9 * 3_600_000);
    expect(parseOffsetTime("00:30Z")).toBe(30 * 60_000);
    expect(parseOffsetTime("10:00")).toBeUndefined();
  });
});
