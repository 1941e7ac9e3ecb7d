import { describe, expect, it } from "vitest";
import { durationsByFlow, niceScale, percentile, periodOf, stackBars, totalsByState } from "./dashboard.ts";

const stat = (startDate: string, executionCounts: Record<string, number>) => ({
  startDate,
  executionCounts,
  groupBy: "day",
});

describe("dashboard", () => {
  it("stacks states bottom-up in a fixed order, summing unknown ones as OTHER", () => {
    const bars = stackBars([
      stat("2026-12-01", { FAILED: 2, SUCCESS: 3, RETRIED: 1, KILLED: 0 }),
      stat("2026-12-02", {}),
    ]);
    expect(bars[0]).toEqual({
      startDate: "2026-12-01",
      total: 6,
      segments: [
        { state: "SUCCESS", count: 3, from: 0 },
        { state: "FAILED", count: 2, from: 3 },
        { state: "OTHER", count: 1, from: 5 },
      ],
    });
    expect(bars[1]).toEqual({ startDate: "2026-12-02", total: 0, segments: [] });
  });

  it("totals per state over the period, biggest first", () => {
    expect(totalsByState([stat("a", { SUCCESS: 1, FAILED: 2 }), stat("b", { SUCCESS: 4, KILLED: 0 })])).toEqual([
      { state: "SUCCESS", count: 5 },
      { state: "FAILED", count: 2 },
    ]);
  });

  it("rounds the axis up to 1, 2 or 5 times a power of ten", () => {
    expect(niceScale(0)).toEqual({ max: 1, ticks: [0, 1] });
    expect(niceScale(3)).toEqual({ max: 3, ticks: [0, 1, 2, 3] });
    expect(niceScale(17)).toEqual({ max: 20, ticks: [0, 5, 10, 15, 20] });
    expect(niceScale(730).max).toBe(800);
  });

  it("computes percentiles by nearest rank, and per-flow durations", () => {
    const values = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(10);
    expect(percentile(values, 95)).toBe(19);
    expect(percentile([], 50)).toBeNaN();
    const flows = durationsByFlow([
      { namespace: "a", flowId: "fast", durationMs: 10 },
      { namespace: "a", flowId: "fast", durationMs: 30 },
      { namespace: "a", flowId: "fast", durationMs: 20 },
      { namespace: "a", flowId: "slow", durationMs: 5000 },
      { namespace: "a", flowId: "slow", durationMs: NaN },
    ]);
    expect(flows).toEqual([
      { namespace: "a", flowId: "slow", count: 1, medianMs: 5000, p95Ms: 5000, maxMs: 5000 },
      { namespace: "a", flowId: "fast", count: 3, medianMs: 20, p95Ms: 30, maxMs: 30 },
    ]);
  });

  it("reads the period from the URL: a preset, custom dates, or the default week", () => {
    const now = Date.parse("2026-12-05T12:00:00Z");
    expect(periodOf(new URLSearchParams(""), now)).toEqual({
      range: "P7D",
      startDate: "2026-11-28T12:00:00.000Z",
      endDate: "2026-12-05T12:00:00.000Z",
    });
    expect(periodOf(new URLSearchParams("range=PT24H"), now).startDate).toBe("2026-12-04T12:00:00.000Z");
    expect(periodOf(new URLSearchParams("start=2026-12-01T00:00:00Z&end=2026-12-02T00:00:00Z"), now)).toEqual({
      range: "custom",
      startDate: "2026-12-01T00:00:00.000Z",
      endDate: "2026-12-02T00:00:00.000Z",
    });
    // a start after the end falls back to the preset
    expect(periodOf(new URLSearchParams("start=2026-12-03T00:00:00Z&end=2026-12-02T00:00:00Z"), now).range).toBe("P7D");
  });
});
