import { describe, expect, it } from "vitest";
import type { TaskRun } from "./execution.ts";
import { compileRetry, nextTaskRetryDate, shouldBeRetried } from "./retry.ts";

function failedRun(attemptDates: string[]): TaskRun {
  return {
    id: "t",
    executionId: "e",
    namespace: "n",
    flowId: "f",
    taskId: "t",
    outputs: null,
    state: { current: "FAILED", histories: [], startDate: attemptDates[0]!, duration: "PT0S" },
    attempts: attemptDates.map((date) => ({
      state: {
        current: "FAILED",
        histories: [
          { state: "RUNNING", date },
          { state: "FAILED", date },
        ],
        startDate: date,
        duration: "PT0S",
      },
    })),
  };
}

describe("retry policies", () => {
  it("constant: waits `interval` after the last attempt, up to maxAttempt attempts in all", () => {
    const policy = compileRetry({ type: "constant", interval: "PT0.250S", maxAttempt: 3 })!;
    const at = "2024-01-01T00:00:00.000Z";
    expect(nextTaskRetryDate(policy, failedRun([at]))).toBe(Date.parse(at) + 250);
    expect(nextTaskRetryDate(policy, failedRun([at, at]))).toBe(Date.parse(at) + 250);
    expect(nextTaskRetryDate(policy, failedRun([at, at, at]))).toBeUndefined();
  });

  it("exponential: interval × delayFactor × (attempts − 1), capped by maxInterval (Kestra's formula)", () => {
    const policy = compileRetry({ type: "exponential", interval: "PT1S", maxInterval: "PT3S", delayFactor: 2 })!;
    const at = "2024-01-01T00:00:00.000Z";
    expect(nextTaskRetryDate(policy, failedRun([at]))! - Date.parse(at)).toBe(0);
    expect(nextTaskRetryDate(policy, failedRun([at, at]))! - Date.parse(at)).toBe(2000);
    expect(nextTaskRetryDate(policy, failedRun([at, at, at]))! - Date.parse(at)).toBe(3000);
  });

  it("stops once the next attempt would start after maxDuration", () => {
    const policy = compileRetry({ type: "constant", interval: "PT10S", maxDuration: "PT15S" })!;
    expect(shouldBeRetried(policy, failedRun(["2024-01-01T00:00:00Z"]))).toBe(true);
    expect(shouldBeRetried(policy, failedRun(["2024-01-01T00:00:00Z", "2024-01-01T00:00:10Z"]))).toBe(false);
  });

  it("rejects unknown properties and bad durations", () => {
    expect(() => compileRetry({ type: "constant", interval: "soon" })).toThrow(/ISO-8601/);
    expect(() => compileRetry({ type: "constant", interval: "PT1S", maxAttempts: 2 })).toThrow();
    expect(() => compileRetry({ type: "linear", interval: "PT1S" })).toThrow();
  });
});
