import { describe, expect, it } from "vitest";
import { dueScheduleOnDates, parseScheduleDates } from "./scheduleOnDates.ts";

const dates = parseScheduleDates([
  "2024-03-05T12:00:00+01:00",
  "2024-03-05T09:00:00Z",
  "2024-03-05T10:30:00.750Z",
  "2024-03-06T09:00:00Z",
]);
const iso = (list: readonly Date[]) => list.map((d) => d.toISOString());

describe("ScheduleOnDates", () => {
  it("sorts the dates and truncates them to the second", () => {
    expect(iso(dates)).toEqual([
      "2024-03-05T09:00:00.000Z",
      "2024-03-05T10:30:00.000Z",
      "2024-03-05T11:00:00.000Z",
      "2024-03-06T09:00:00.000Z",
    ]);
  });

  it("rejects a date without an offset, naming it", () => {
    expect(() => parseScheduleDates(["2024-03-05T09:00:00Z", "2024-03-05 10:00"])).toThrow(
      "property 'dates[1]' must be an ISO-8601 date-time with an offset",
    );
  });

  it("a trigger just created runs only the dates to come", () => {
    const result = dueScheduleOnDates(dates, undefined, { now: new Date("2024-03-05T10:45:00Z") });
    expect(result.due).toEqual([]);
    expect(result.next?.toISOString()).toBe("2024-03-05T11:00:00.000Z");
  });

  it("runs the dates between the last one handled and now", () => {
    const onTime = dueScheduleOnDates(dates, new Date("2024-03-05T10:30:00Z"), {
      now: new Date("2024-03-05T11:00:01Z"),
    });
    expect(iso(onTime.due)).toEqual(["2024-03-05T11:00:00.000Z"]);
    expect(onTime.next?.toISOString()).toBe("2024-03-06T09:00:00.000Z");
  });

  it("applies ALL, LAST and NONE to missed dates", () => {
    const last = new Date("2024-03-05T08:00:00Z");
    const now = new Date("2024-03-05T12:00:00Z");
    expect(iso(dueScheduleOnDates(dates, last, { now }).due)).toEqual([
      "2024-03-05T09:00:00.000Z",
      "2024-03-05T10:30:00.000Z",
      "2024-03-05T11:00:00.000Z",
    ]);
    expect(iso(dueScheduleOnDates(dates, last, { now, recoverMissedSchedules: "LAST" }).due)).toEqual([
      "2024-03-05T11:00:00.000Z",
    ]);
    expect(dueScheduleOnDates(dates, last, { now, recoverMissedSchedules: "NONE" }).due).toEqual([]);
    expect(
      dueScheduleOnDates(dates, new Date("2024-03-06T09:00:00Z"), { now: new Date("2024-03-07T00:00:00Z") }).next,
    ).toBeUndefined();
  });
});
