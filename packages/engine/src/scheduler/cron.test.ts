import { describe, expect, it } from "vitest";
import { cronError, parseCron } from "./cron.ts";

const iso = (d: Date | undefined) => d?.toISOString();
const from = (text: string) => new Date(text);

describe("parseCron", () => {
  it("reads 5 fields at minute precision", () => {
    const s = parseCron("*/15 8-9 * * *", { timezone: "UTC" });
    expect(s.between(from("2024-03-04T07:59:00Z"), from("2024-03-04T10:00:00Z")).map(iso)).toEqual([
      "2024-03-04T08:00:00.000Z",
      "2024-03-04T08:15:00.000Z",
      "2024-03-04T08:30:00.000Z",
      "2024-03-04T08:45:00.000Z",
      "2024-03-04T09:00:00.000Z",
      "2024-03-04T09:15:00.000Z",
      "2024-03-04T09:30:00.000Z",
      "2024-03-04T09:45:00.000Z",
    ]);
  });

  it("reads 6 fields, seconds first, with withSeconds", () => {
    const s = parseCron("*/20 0 12 * * *", { withSeconds: true, timezone: "UTC" });
    expect(s.between(from("2024-03-04T11:00:00Z"), from("2024-03-04T13:00:00Z")).map(iso)).toEqual([
      "2024-03-04T12:00:00.000Z",
      "2024-03-04T12:00:20.000Z",
      "2024-03-04T12:00:40.000Z",
    ]);
  });

  it("takes 0 and 7 for Sunday, and day and month names", () => {
    const sunday0 = parseCron("0 0 * * 0", { timezone: "UTC" });
    const sunday7 = parseCron("0 0 * * 7", { timezone: "UTC" });
    const named = parseCron("0 0 * * SUN", { timezone: "UTC" });
    const after = from("2024-03-05T00:00:00Z"); // a Tuesday
    expect(iso(sunday0.next(after))).toBe("2024-03-10T00:00:00.000Z");
    expect(iso(sunday7.next(after))).toBe("2024-03-10T00:00:00.000Z");
    expect(iso(named.next(after))).toBe("2024-03-10T00:00:00.000Z");
    expect(iso(parseCron("0 6 1 JAN,jul *", { timezone: "UTC" }).next(after))).toBe("2024-07-01T06:00:00.000Z");
  });

  it("either day of month or day of week matches when both are restricted", () => {
    // the 13th, or any Friday
    const s = parseCron("0 0 13 * FRI", { timezone: "UTC" });
    expect(s.between(from("2024-09-01T00:00:00Z"), from("2024-09-14T00:00:00Z")).map(iso)).toEqual([
      "2024-09-06T00:00:00.000Z",
      "2024-09-13T00:00:00.000Z",
    ]);
    expect(iso(s.next(from("2024-09-13T00:00:00Z")))).toBe("2024-09-20T00:00:00.000Z");
    expect(iso(parseCron("0 0 12 * FRI", { timezone: "UTC" }).next(from("2024-09-06T00:00:00Z")))).toBe(
      "2024-09-12T00:00:00.000Z",
    );
  });

  it.each([
    ["@yearly", "2025-01-01T00:00:00.000Z"],
    ["@annually", "2025-01-01T00:00:00.000Z"],
    ["@monthly", "2024-04-01T00:00:00.000Z"],
    ["@weekly", "2024-03-10T00:00:00.000Z"],
    ["@daily", "2024-03-06T00:00:00.000Z"],
    ["@midnight", "2024-03-06T00:00:00.000Z"],
    ["@hourly", "2024-03-05T11:00:00.000Z"],
  ])("nickname %s", (nickname, next) => {
    const after = from("2024-03-05T10:30:00Z");
    expect(iso(parseCron(nickname, { timezone: "UTC" }).next(after))).toBe(next);
    expect(iso(parseCron(nickname, { timezone: "UTC", withSeconds: true }).next(after))).toBe(next);
  });

  it("next and previous are strict", () => {
    const s = parseCron("0 * * * *", { timezone: "UTC" });
    expect(iso(s.next(from("2024-03-05T10:00:00Z")))).toBe("2024-03-05T11:00:00.000Z");
    expect(iso(s.next(from("2024-03-05T09:59:59.500Z")))).toBe("2024-03-05T10:00:00.000Z");
    expect(iso(s.previous(from("2024-03-05T10:00:00Z")))).toBe("2024-03-05T09:00:00.000Z");
    expect(iso(s.previous(from("2024-03-05T10:00:00.500Z")))).toBe("2024-03-05T10:00:00.000Z");
    expect(s.between(from("2024-03-05T10:00:00Z"), from("2024-03-05T10:00:00Z"))).toEqual([]);
    expect(s.between(from("2024-03-05T10:00:00Z"), from("2024-03-06T10:00:00Z"), 3)).toHaveLength(3);
  });

  it("reads the fields in the time zone", () => {
    const paris = parseCron("0 9 * * *", { timezone: "Europe/Paris" });
    expect(iso(paris.next(from("2024-01-10T00:00:00Z")))).toBe("2024-01-10T08:00:00.000Z"); // CET, +01:00
    expect(iso(paris.next(from("2024-07-10T00:00:00Z")))).toBe("2024-07-10T07:00:00.000Z"); // CEST, +02:00
    const tokyo = parseCron("0 9 * * *", { timezone: "Asia/Tokyo" });
    expect(iso(tokyo.next(from("2024-07-10T00:00:00Z")))).toBe("2024-07-11T00:00:00.000Z");
    expect(paris.timezone).toBe("Europe/Paris");
  });

  it("crosses DST changes without losing or doubling a fixed time", () => {
    // Paris springs forward on 2024-03-31 at 02:00 (to 03:00): 02:30 does not exist that day
    const spring = parseCron("30 2 * * *", { timezone: "Europe/Paris" });
    const days = spring.between(from("2024-03-29T12:00:00Z"), from("2024-04-01T12:00:00Z"));
    expect(days.map(iso)).toEqual(["2024-03-30T01:30:00.000Z", "2024-03-31T01:00:00.000Z", "2024-04-01T00:30:00.000Z"]);
    // Paris falls back on 2024-10-27 at 03:00 (to 02:00): 02:30 happens twice, the job runs once
    const fall = parseCron("30 2 * * *", { timezone: "Europe/Paris" });
    expect(fall.between(from("2024-10-26T12:00:00Z"), from("2024-10-27T12:00:00Z")).map(iso)).toEqual([
      "2024-10-27T00:30:00.000Z",
    ]);
    // an hourly job runs at every hour that occurs: 24 runs on a 25-hour day
    const hourly = parseCron("0 * * * *", { timezone: "Europe/Paris" });
    expect(hourly.between(from("2024-10-26T22:00:00Z"), from("2024-10-27T23:00:00Z"))).toHaveLength(25);
  });
});

describe("cronError", () => {
  it.each([
    ["* * * * * *", {}, "a cron expression needs 5 fields, got 6 in '* * * * * *'"],
    ["* * * * *", { withSeconds: true }, "a cron expression needs 6 fields (withSeconds: true), got 5 in '* * * * *'"],
    ["61 * * * *", {}, "invalid cron expression '61 * * * *': Invalid value for minute: 61"],
    ["0 0 * * 8", {}, "invalid cron expression '0 0 * * 8': Invalid value for dayOfWeek: 8"],
    ["0 0 L * *", {}, "invalid cron field 'L' in '0 0 L * *'"],
    ["0 0 ? * MON", {}, "invalid cron field '?' in '0 0 ? * MON'"],
    ["0 0 * * MON#2", {}, "invalid cron field 'MON#2' in '0 0 * * MON#2'"],
    [
      "@every 5m",
      {},
      "unknown cron nickname '@every 5m' (allowed: @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly)",
    ],
    ["0 0 * * *", { timezone: "Mars/Olympus" }, "unknown time zone 'Mars/Olympus'"],
  ])("%s %j", (cron, options, message) => {
    expect(cronError(cron, options)).toBe(message);
    expect(() => parseCron(cron, options)).toThrow(message);
  });

  it("accepts what Kestra accepts", () => {
    for (const cron of ["* * * * *", "0 0 1-15/2 * MON-FRI", "5,10,15 */2 * JAN-MAR 0-7", "@hourly"])
      expect(cronError(cron)).toBeUndefined();
    expect(cronError("*/10 * * * * *", { withSeconds: true })).toBeUndefined();
  });
});
