import { describe, expect, it } from "vitest";
import { parseCron } from "./cron.ts";
import { dueScheduleDates, selectDueDates } from "./dueSchedules.ts";

const iso = (dates: readonly Date[]) => dates.map((d) => d.toISOString());
const hourly = parseCron("0 * * * *", { timezone: "UTC" });

describe("dueScheduleDates", () => {
  it("starts a new trigger at its next date, nothing due", () => {
    const result = dueScheduleDates(hourly, undefined, { now: new Date("2024-03-05T10:20:00Z") });
    expect(result.due).toEqual([]);
    expect(result.next?.toISOString()).toBe("2024-03-05T11:00:00.000Z");
  });

  it("runs the date that just fell due, whatever the policy", () => {
    for (const policy of ["ALL", "LAST", "NONE"] as const) {
      const result = dueScheduleDates(hourly, new Date("2024-03-05T10:00:00Z"), {
        now: new Date("2024-03-05T11:00:00.400Z"),
        recoverMissedSchedules: policy,
      });
      expect(iso(result.due)).toEqual(["2024-03-05T11:00:00.000Z"]);
      expect(result.last?.toISOString()).toBe("2024-03-05T11:00:00.000Z");
      expect(result.next?.toISOString()).toBe("2024-03-05T12:00:00.000Z");
    }
  });

  it("ALL (the default) recovers every date missed during an outage", () => {
    const result = dueScheduleDates(hourly, new Date("2024-03-05T07:00:00Z"), {
      now: new Date("2024-03-05T10:30:00Z"),
    });
    expect(iso(result.due)).toEqual([
      "2024-03-05T08:00:00.000Z",
      "2024-03-05T09:00:00.000Z",
      "2024-03-05T10:00:00.000Z",
    ]);
    expect(result.skipped).toEqual([]);
    expect(result.last?.toISOString()).toBe("2024-03-05T10:00:00.000Z");
  });

  it("LAST recovers only the latest missed date", () => {
    const result = dueScheduleDates(hourly, new Date("2024-03-05T07:00:00Z"), {
      now: new Date("2024-03-05T10:30:00Z"),
      recoverMissedSchedules: "LAST",
    });
    expect(iso(result.due)).toEqual(["2024-03-05T10:00:00.000Z"]);
    expect(iso(result.skipped)).toEqual(["2024-03-05T08:00:00.000Z", "2024-03-05T09:00:00.000Z"]);
    expect(result.last?.toISOString()).toBe("2024-03-05T10:00:00.000Z");
  });

  it("LAST runs the date on time instead of a missed one", () => {
    const result = dueScheduleDates(hourly, new Date("2024-03-05T07:00:00Z"), {
      now: new Date("2024-03-05T10:00:20Z"),
      recoverMissedSchedules: "LAST",
    });
    expect(iso(result.due)).toEqual(["2024-03-05T10:00:00.000Z"]);
    expect(result.skipped).toHaveLength(2);
  });

  it("NONE recovers nothing missed", () => {
    const result = dueScheduleDates(hourly, new Date("2024-03-05T07:00:00Z"), {
      now: new Date("2024-03-05T10:30:00Z"),
      recoverMissedSchedules: "NONE",
    });
    expect(result.due).toEqual([]);
    expect(result.skipped).toHaveLength(3);
    expect(result.last?.toISOString()).toBe("2024-03-05T10:00:00.000Z");
    expect(result.next?.toISOString()).toBe("2024-03-05T11:00:00.000Z");
  });

  it("lateMaximumDelay skips dates too late, even under ALL", () => {
    const result = dueScheduleDates(hourly, new Date("2024-03-05T07:00:00Z"), {
      now: new Date("2024-03-05T10:30:00Z"),
      lateMaximumDelayMs: 45 * 60_000,
    });
    expect(iso(result.due)).toEqual(["2024-03-05T10:00:00.000Z"]);
    expect(iso(result.skipped)).toEqual(["2024-03-05T08:00:00.000Z", "2024-03-05T09:00:00.000Z"]);
    const tooLate = dueScheduleDates(hourly, new Date("2024-03-05T09:00:00Z"), {
      now: new Date("2024-03-05T10:30:00Z"),
      lateMaximumDelayMs: 10 * 60_000,
    });
    expect(tooLate.due).toEqual([]);
    expect(tooLate.last?.toISOString()).toBe("2024-03-05T10:00:00.000Z");
  });

  it("a long outage is handed out in bounded batches", () => {
    const everyMinute = parseCron("* * * * *", { timezone: "UTC" });
    const first = dueScheduleDates(everyMinute, new Date("2024-03-05T00:00:00Z"), {
      now: new Date("2024-03-05T10:00:00Z"),
      limit: 100,
    });
    expect(first.due).toHaveLength(100);
    expect(first.last?.toISOString()).toBe("2024-03-05T01:40:00.000Z");
    expect(first.next?.toISOString()).toBe("2024-03-05T01:41:00.000Z");
    const second = dueScheduleDates(everyMinute, first.last, { now: new Date("2024-03-05T10:00:00Z"), limit: 100 });
    expect(second.due[0]?.toISOString()).toBe("2024-03-05T01:41:00.000Z");
  });

  it("follows the time zone across a DST change", () => {
    const paris = parseCron("0 9 * * *", { timezone: "Europe/Paris" });
    const result = dueScheduleDates(paris, new Date("2024-03-30T08:00:00Z"), { now: new Date("2024-04-01T12:00:00Z") });
    expect(iso(result.due)).toEqual(["2024-03-31T07:00:00.000Z", "2024-04-01T07:00:00.000Z"]);
  });
});

describe("selectDueDates", () => {
  it("counts a date as missed past missedAfterMs", () => {
    const dates = [new Date("2024-03-05T10:00:00Z")];
    expect(
      selectDueDates(dates, { now: new Date("2024-03-05T10:00:50Z"), recoverMissedSchedules: "NONE" }).due,
    ).toHaveLength(1);
    expect(
      selectDueDates(dates, { now: new Date("2024-03-05T10:01:10Z"), recoverMissedSchedules: "NONE" }).due,
    ).toHaveLength(0);
    expect(
      selectDueDates(dates, {
        now: new Date("2024-03-05T10:01:10Z"),
        recoverMissedSchedules: "NONE",
        missedAfterMs: 120_000,
      }).due,
    ).toHaveLength(1);
  });
});
