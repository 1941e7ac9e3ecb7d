import { duration, z } from "@saker/sdk";
import type { Execution, TaskRun } from "./execution.ts";

const common = {
  maxAttempt: z.number().int().min(1).optional().describe("Attempts in all, the first included."),
  maxDuration: duration().optional().describe("No retry starts later than this after the first attempt."),
  warningOnRetry: z.boolean().default(false).describe("A success after a retry ends WARNING."),
  behavior: z
    .enum(["RETRY_FAILED_TASK", "CREATE_NEW_EXECUTION"])
    .default("RETRY_FAILED_TASK")
    .describe("Retry the task in place, or replay the whole execution."),
};

export const RetryPolicySchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("constant"), interval: duration().describe("Wait between attempts."), ...common }),
  z.strictObject({
    type: z.literal("exponential"),
    interval: duration(),
    maxInterval: duration(),
    delayFactor: z.number().optional(),
    ...common,
  }),
  z.strictObject({ type: z.literal("random"), minInterval: duration(), maxInterval: duration(), ...common }),
]);

export type RetryPolicy = z.output<typeof RetryPolicySchema>;

/** Parses a `retry:` block; throws zod's error on a bad one (validation reports it earlier). */
export function compileRetry(raw: unknown): RetryPolicy | undefined {
  if (raw === undefined || raw === null) return undefined;
  return RetryPolicySchema.parse(raw);
}

/** The wait before the next attempt, given how many attempts were made (Kestra's formulas). */
function delayMs(policy: RetryPolicy, attemptCount: number): number {
  switch (policy.type) {
    case "constant":
      return policy.interval;
    case "exponential": {
      const factor = Math.trunc(policy.delayFactor ?? 2);
      return Math.min(policy.interval * factor * (attemptCount - 1), policy.maxInterval);
    }
    case "random":
      return policy.minInterval + Math.random() * (policy.maxInterval - policy.minInterval);
  }
}

function maxDateOf(taskRun: TaskRun): number {
  const last = taskRun.attempts?.[taskRun.attempts.length - 1];
  const histories = last?.state.histories ?? taskRun.state.histories;
  return Date.parse(histories[histories.length - 1]!.date);
}

/** When the failed task run retries in place, or undefined when the policy is exhausted. */
export function nextTaskRetryDate(policy: RetryPolicy, taskRun: TaskRun): number | undefined {
  const attempts = taskRun.attempts ?? [];
  if (attempts.length === 0) return undefined;
  if (policy.maxAttempt !== undefined && attempts.length >= policy.maxAttempt) return undefined;
  const next = maxDateOf(taskRun) + delayMs(policy, attempts.length);
  if (policy.maxDuration !== undefined) {
    const first = Date.parse(attempts[0]!.state.histories[0]!.date);
    if (next > first + policy.maxDuration) return undefined;
  }
  return next;
}

/** When the execution is replayed (`CREATE_NEW_EXECUTION`), or undefined when exhausted. */
export function nextExecutionRetryDate(policy: RetryPolicy, execution: Execution, base: number): number | undefined {
  const attemptNumber = execution.metadata.attemptNumber;
  if (policy.maxAttempt !== undefined && attemptNumber >= policy.maxAttempt) return undefined;
  const next = base + delayMs(policy, attemptNumber);
  if (
    policy.maxDuration !== undefined &&
    next > Date.parse(execution.metadata.originalCreatedDate) + policy.maxDuration
  ) {
    return undefined;
  }
  return next;
}

/** True when the task's own policy will retry this failed task run (Kestra's `shouldBeRetried`). */
export function shouldBeRetried(policy: RetryPolicy | undefined, taskRun: TaskRun): boolean {
  return policy !== undefined && nextTaskRetryDate(policy, taskRun) !== undefined;
}
