import { describe, expect, it } from "vitest";
import { formatBytes, formatDate, formatMs, parseDuration, stateDurationMs } from "./format.ts";

describe("format", () => {
  it("reads ISO-8601 durations", () => {
    expect(parseDuration("PT1M2.5S")).toBe(62_500);
    expect(parseDuration("P1DT2H")).toBe(26 * 3600_000);
    expect(parseDuration("PT0.012S")).toBe(12);
    expect(parseDuration("soon")).toBeNaN();
  });

  it("shows durations at a useful precision", () => {
    expect(formatMs(850)).toBe("850ms");
    expect(formatMs(1234)).toBe("1.23s");
    expect(formatMs(65_000)).toBe("1m 05s");
    expect(formatMs(2 * 3600_000 + 3 * 60_000)).toBe("2h 03m");
  });

  it("shows a date in the chosen time zone", () => {
    expect(formatDate("2026-12-05T07:12:03.123Z", "UTC")).toBe("2026-12-05 07:12:03");
    expect(formatDate("2026-12-05T07:12:03Z", "Asia/Tokyo")).toBe("2026-12-05 16:12:03");
    // each time zone keeps its own formatter
    expect(formatDate("2026-12-05T23:30:00Z", "UTC")).toBe("2026-12-05 23:30:00");
    expect(formatDate("2026-12-05T23:30:00Z", "Asia/Tokyo")).toBe("2026-12-06 08:30:00");
    expect(formatDate("not a date", "UTC")).toBe("not a date");
    expect(formatDate(undefined)).toBe("");
  });

  it("measures a running state up to now", () => {
    expect(stateDurationMs({ startDate: "2026-01-01T00:00:00Z" }, Date.parse("2026-01-01T00:00:05Z"))).toBe(5000);
    expect(
      stateDurationMs({ startDate: "2026-01-01T00:00:00Z", endDate: "2026-01-01T00:00:01Z", duration: "PT1S" }),
    ).toBe(1000);
  });

  it("shows sizes", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(1536)).toBe("1.5 KB");
  });
});
