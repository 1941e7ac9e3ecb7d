import { describe, expect, it } from "vitest";
import { advanceWindow, parseLocalTime, windowBounds, type WindowInput, type WindowState } from "./timeWindow.ts";

const H = 3_600_000;
const D = 24 * H;
const utc = (text: string) => new Date(text);
const bounds = (b: { start: Date; end: Date }) => [b.start.toISOString(), b.end.toISOString()];

describe("windowBounds", () => {
  it("DURATION_WINDOW: one day from midnight by default", () => {
    expect(bounds(windowBounds({}, utc("2024-03-05T14:23:10Z"), "UTC"))).toEqual([
      "2024-03-05T00:00:00.000Z",
      "2024-03-05T23:59:59.999Z",
    ]);
  });
  it("DURATION_WINDOW: windows that divide a day are aligned on midnight, shifted by windowAdvance", () => {
    expect(bounds(windowBounds({ window: 6 * H }, utc("2024-03-05T14:23:10Z"), "UTC"))).toEqual([
      "2024-03-05T12:00:00.000Z",
      "2024-03-05T17:59:59.999Z",
    ]);
    expect(bounds(windowBounds({ window: 10 * 60_000 }, utc("2024-03-05T14:23:10Z"), "UTC"))).toEqual([
      "2024-03-05T14:20:00.000Z",
      "2024-03-05T14:29:59.999Z",
    ]);
    expect(bounds(windowBounds({ window: 6 * H, windowAdvance: 3 * H }, utc("2024-03-05T01:00:00Z"), "UTC"))).toEqual([
      "2024-03-04T21:00:00.000Z",
      "2024-03-05T02:59:59.999Z",
    ]);
    expect(bounds(windowBounds({ window: D, windowAdvance: 6 * H }, utc("2024-03-05T03:00:00Z"), "UTC"))).toEqual([
      "2024-03-04T06:00:00.000Z",
      "2024-03-05T05:59:59.999Z",
    ]);
  });
  it("DURATION_WINDOW: a window longer than a day starts at the midnight before", () => {
    expect(bounds(windowBounds({ window: 2 * D }, utc("2024-03-05T14:00:00Z"), "UTC"))).toEqual([
      "2024-03-05T00:00:00.000Z",
      "2024-03-06T23:59:59.999Z",
    ]);
  });
  it("midnight is the zone's", () => {
    expect(bounds(windowBounds({}, utc("2024-03-05T14:00:00Z"), "Europe/Paris"))).toEqual([
      "2024-03-04T23:00:00.000Z",
      "2024-03-05T22:59:59.999Z",
    ]);
  });
  it("SLIDING_WINDOW goes back from now", () => {
    expect(bounds(windowBounds({ type: "SLIDING_WINDOW", window: H }, utc("2024-03-05T14:00:00Z"), "UTC"))).toEqual([
      "2024-03-05T13:00:00.000Z",
      "2024-03-05T14:00:00.000Z",
    ]);
  });
  it("daily windows", () => {
    expect(
      bounds(windowBounds({ type: "DAILY_TIME_DEADLINE", deadline: "09:00:00" }, utc("2024-03-05T08:00:00Z"), "UTC")),
    ).toEqual(["2024-03-05T00:00:00.000Z", "2024-03-05T09:00:00.000Z"]);
    expect(
      bounds(
        windowBounds(
          { type: "DAILY_TIME_WINDOW", startTime: "06:00", endTime: "09:30:00" },
          utc("2024-03-05T08:00:00Z"),
          "UTC",
        ),
      ),
    ).toEqual(["2024-03-05T06:00:00.000Z", "2024-03-05T09:30:00.000Z"]);
    expect(() => windowBounds({ type: "DAILY_TIME_DEADLINE" }, utc("2024-03-05T08:00:00Z"), "UTC")).toThrow(/deadline/);
  });
  it("parses times of day", () => {
    expect(parseLocalTime("09:30")).toBe(9.5 * H);
    expect(parseLocalTime("23:59:59.5")).toBe(D - 500);
    expect(parseLocalTime("24:00")).toBeUndefined();
    expect(parseLocalTime("9:30")).toBeUndefined();
  });
});

/** Runs executions through a window, each meeting some keys; returns which fired. */
function run(
  base: Omit<WindowInput, "met" | "now" | "state">,
  events: [string, string[]][],
): { fired: string[]; state: WindowState | undefined } {
  let state: WindowState | undefined;
  const fired: string[] = [];
  for (const [at, met] of events) {
    const result = advanceWindow({ ...base, met, now: utc(at), state });
    state = result.state;
    if (result.satisfied) fired.push(at);
  }
  return { fired, state };
}

describe("advanceWindow", () => {
  const keys = ["a", "b"];

  it("fires once every key is met inside the window, then starts over", () => {
    const { fired, state } = run({ keys, zone: "UTC" }, [
      ["2024-03-05T08:00:00Z", ["a"]],
      ["2024-03-05T09:00:00Z", ["a"]],
      ["2024-03-05T10:00:00Z", ["b"]],
      ["2024-03-05T11:00:00Z", ["b"]],
      ["2024-03-05T12:00:00Z", ["a"]],
    ]);
    expect(fired).toEqual(["2024-03-05T10:00:00Z", "2024-03-05T12:00:00Z"]);
    expect(state).toBeUndefined();
  });

  it("keeps the results of an open window and records when each key was met", () => {
    const result = advanceWindow({ keys, zone: "UTC", met: ["a"], now: utc("2024-03-05T08:00:00Z"), state: undefined });
    expect(result).toEqual({
      satisfied: false,
      state: {
        start: "2024-03-05T00:00:00.000Z",
        end: "2024-03-05T23:59:59.999Z",
        results: { a: "2024-03-05T08:00:00.000Z" },
      },
    });
    expect(
      advanceWindow({ keys, zone: "UTC", met: [], now: utc("2024-03-05T09:00:00Z"), state: result.state }).state,
    ).toEqual(result.state);
    expect(
      advanceWindow({ keys, zone: "UTC", met: ["c"], now: utc("2024-03-05T09:00:00Z"), state: undefined }).state,
    ).toBeUndefined();
  });

  it("forgets results when the window has moved on", () => {
    const { fired } = run({ keys, zone: "UTC" }, [
      ["2024-03-05T23:00:00Z", ["a"]],
      ["2024-03-06T01:00:00Z", ["b"]],
      ["2024-03-06T02:00:00Z", ["a"]],
    ]);
    expect(fired).toEqual(["2024-03-06T02:00:00Z"]);
  });

  it("resetOnSuccess: false fires again whenever a key is met again in the same window", () => {
    const { fired, state } = run({ keys, zone: "UTC", resetOnSuccess: false }, [
      ["2024-03-05T08:00:00Z", ["a"]],
      ["2024-03-05T09:00:00Z", ["b"]],
      ["2024-03-05T10:00:00Z", []],
      ["2024-03-05T11:00:00Z", ["a"]],
      ["2024-03-06T01:00:00Z", ["b"]],
    ]);
    expect(fired).toEqual(["2024-03-05T09:00:00Z", "2024-03-05T11:00:00Z"]);
    expect(state?.results).toEqual({ b: "2024-03-06T01:00:00.000Z" });
  });

  it("SLIDING_WINDOW counts each key met within the window before now", () => {
    const base = { keys, zone: "UTC", timeWindow: { type: "SLIDING_WINDOW" as const, window: H } };
    expect(
      run(base, [
        ["2024-03-05T10:00:00Z", ["a"]],
        ["2024-03-05T10:50:00Z", ["a"]],
        ["2024-03-05T11:10:00Z", ["b"]],
      ]).fired,
    ).toEqual(["2024-03-05T11:10:00Z"]);
    expect(
      run(base, [
        ["2024-03-05T10:00:00Z", ["a"]],
        ["2024-03-05T11:10:00Z", ["b"]],
      ]).fired,
    ).toEqual([]);
    const { state } = run(base, [["2024-03-05T10:00:00Z", ["a"]]]);
    expect(state).toEqual({ results: { a: "2024-03-05T10:00:00.000Z" } });
  });

  it("DAILY_TIME_DEADLINE only counts executions before the deadline", () => {
    const base = { keys, zone: "UTC", timeWindow: { type: "DAILY_TIME_DEADLINE" as const, deadline: "09:00:00" } };
    expect(
      run(base, [
        ["2024-03-05T07:00:00Z", ["a"]],
        ["2024-03-05T08:59:00Z", ["b"]],
      ]).fired,
    ).toEqual(["2024-03-05T08:59:00Z"]);
    expect(
      run(base, [
        ["2024-03-05T07:00:00Z", ["a"]],
        ["2024-03-05T09:30:00Z", ["b"]],
      ]).fired,
    ).toEqual([]);
    expect(
      run(base, [
        ["2024-03-05T07:00:00Z", ["a"]],
        ["2024-03-06T07:00:00Z", ["b"]],
      ]).fired,
    ).toEqual([]);
  });

  it("DAILY_TIME_WINDOW only counts executions between start and end", () => {
    const base = {
      keys,
      zone: "Europe/Paris",
      timeWindow: { type: "DAILY_TIME_WINDOW" as const, startTime: "06:00:00", endTime: "09:00:00" },
    };
    // 05:30 Paris (04:30Z) is before the window; 06:30 and 08:30 Paris are inside
    expect(
      run(base, [
        ["2024-03-05T04:30:00Z", ["a"]],
        ["2024-03-05T05:30:00Z", ["b"]],
      ]).fired,
    ).toEqual([]);
    expect(
      run(base, [
        ["2024-03-05T05:30:00Z", ["a"]],
        ["2024-03-05T07:30:00Z", ["b"]],
      ]).fired,
    ).toEqual(["2024-03-05T07:30:00Z"]);
  });
});

describe("bad times of day", () => {
  it("are CONDITION_INVALID errors naming the property", () => {
    let error: unknown;
    try {
      windowBounds(
        { type: "DAILY_TIME_WINDOW", startTime: "25:00:00", endTime: "10:00:00" },
        utc("2024-03-05T14:23:10Z"),
        "UTC",
      );
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({
      code: "CONDITION_INVALID",
      message: "time window: 'startTime' must be a time of day such as 09:00:00 (got \"25:00:00\")",
    });
  });
});
