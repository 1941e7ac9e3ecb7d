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

  it("prints whole milliseconds as the float formatting did", () => {
    // the printing of every duration before whole milliseconds had their own path; the fractions
    // at the end still go through that formatting, so they only check that they still reach it
    const byFloat = (ms: number) => {
      const rest = Math.abs(ms) % 60_000;
      return (rest / 1000).toFixed(6).replace(/0+$/, "").replace(/\.$/, "");
    };
    const seconds = (text: string) => /([-\d.]+)S$/.exec(text)?.[1]?.replace("-", "") ?? "0";
    const samples = [
      ...Array.from({ length: 130_000 }, (_, i) => i),
      3_599_999,
      86_399_999,
      123_456_789,
      -1_001,
      -59_999,
    ];
    for (const ms of [...samples, 0.5, 1.25, 999.999, 1234.5678, -0.001]) {
      if (Math.abs(ms) % 60_000 === 0) continue;
      expect(seconds(formatDuration(ms)), String(ms)).toBe(byFloat(ms));
    }
  });
});
