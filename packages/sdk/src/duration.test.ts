import { describe, expect, it } from "vitest";
import { formatDuration, isDuration, parseDuration } from "./duration.ts";

describe("ISO-8601 durations", () => {
  it.each([
    ["PT5S", 5000],
    ["PT0.250S", 250],
    ["PT1M30S", 90_000],
    ["P1D", 86_400_000],
    ["P1DT2H", 93_600_000],
    ["-PT1S", -1000],
    ["pt2h", 7_200_000],
  ])("parses %s", (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(["", "5s", "PT", "P1Y", "P1W", "PTS", "1000"])("rejects %j", (text) => {
    expect(isDuration(text)).toBe(false);
    expect(() => parseDuration(text)).toThrow(/not an ISO-8601 duration/);
  });

  it.each([
    [0, "PT0S"],
    [1500, "PT1.5S"],
    [90_500, "PT1M30.5S"],
    [7_260_000, "PT2H1M"],
    [90_000_000, "PT25H"],
    [0.123, "PT0.000123S"],
  ])("prints %d ms as Java does", (ms, text) => expect(formatDuration(ms)).toBe(text));
});
