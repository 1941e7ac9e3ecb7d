import { describe, expect, it } from "vitest";
import { mergeTriggerState } from "./triggerRun.ts";

const key = { namespace: "a", flowId: "f", triggerId: "t" };

describe("mergeTriggerState", () => {
  it("applies only what the run changed, keeping a disable made meanwhile", () => {
    const before = { ...key, lastDate: "2026-01-01T00:00:00Z", nextDate: "2026-01-01T00:01:00Z" };
    const after = { ...before, lastDate: "2026-01-01T00:01:00Z", nextDate: "2026-01-01T00:02:00Z", executionId: "x1" };
    const current = { ...before, disabled: true };
    expect(mergeTriggerState(current, { before, after })).toEqual({ ...after, disabled: true });
  });

  it("takes a backfill's progress but never brings back one deleted or replaced meanwhile", () => {
    const backfill = {
      start: "2026-01-01T00:00:00Z",
      end: "2026-01-02T00:00:00Z",
      currentDate: "2026-01-01T00:00:00Z",
      paused: false,
    };
    const before = { ...key, backfill };
    const after = { ...key, backfill: { ...backfill, currentDate: "2026-01-01T08:00:00Z" } };
    expect(mergeTriggerState({ ...key }, { before, after }).backfill).toBeUndefined();
    const paused = { ...key, backfill: { ...backfill, paused: true } };
    expect(mergeTriggerState(paused, { before, after }).backfill).toEqual({
      ...backfill,
      paused: true,
      currentDate: "2026-01-01T08:00:00Z",
    });
    const replaced = { ...key, backfill: { ...backfill, start: "2025-06-01T00:00:00Z" } };
    expect(mergeTriggerState(replaced, { before, after }).backfill).toEqual(replaced.backfill);
    expect(mergeTriggerState(paused, { before, after: { ...key } }).backfill).toBeUndefined();
  });

  it("removes a field the run removed", () => {
    const before = { ...key, nextDate: "2026-01-01T00:01:00Z" };
    expect(mergeTriggerState({ ...before, disabled: false }, { before, after: { ...key } })).toEqual({
      ...key,
      disabled: false,
    });
  });
});
