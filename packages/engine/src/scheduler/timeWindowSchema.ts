/** The `timeWindow` property of Flow trigger preconditions and MultipleCondition, and its checks. */
import { duration, z } from "@saker/sdk";
import { parseLocalTime, TIME_WINDOW_TYPES } from "./timeWindow.ts";

const localTime = (what: string) =>
  z
    .string()
    .refine((text) => parseLocalTime(text) !== undefined, { message: "must be a time of day such as 09:00:00" })
    .optional()
    .describe(what);

export const TimeWindowSchema = z
  .object({
    type: z
      .enum(TIME_WINDOW_TYPES)
      .default("DURATION_WINDOW")
      .describe(
        "How the window moves: DURATION_WINDOW (default), SLIDING_WINDOW, DAILY_TIME_DEADLINE or DAILY_TIME_WINDOW.",
      ),
    window: duration()
      .optional()
      .describe("DURATION_WINDOW and SLIDING_WINDOW: the length of the window (P1D by default)."),
    windowAdvance: duration().optional().describe("DURATION_WINDOW: shifts the start of the windows from midnight."),
    deadline: localTime("DAILY_TIME_DEADLINE: the time of day the conditions must be met by."),
    startTime: localTime("DAILY_TIME_WINDOW: when the daily window opens."),
    endTime: localTime("DAILY_TIME_WINDOW: when the daily window closes."),
  })
  .describe("The time window in which the conditions must all be met.");

const ALLOWED: Readonly<
  Record<(typeof TIME_WINDOW_TYPES)[number], { allowed: readonly string[]; required: readonly string[] }>
> = {
  DURATION_WINDOW: { allowed: ["window", "windowAdvance"], required: [] },
  SLIDING_WINDOW: { allowed: ["window"], required: [] },
  DAILY_TIME_DEADLINE: { allowed: ["deadline"], required: ["deadline"] },
  DAILY_TIME_WINDOW: { allowed: ["startTime", "endTime"], required: ["startTime", "endTime"] },
};
const SETTINGS = ["window", "windowAdvance", "deadline", "startTime", "endTime"];

/** Kestra's rules on which settings go with which window type; each message names `path`. */
export function timeWindowProblems(value: unknown, path: string): string[] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return [];
  const window = value as Record<string, unknown>;
  const type = (window.type ?? "DURATION_WINDOW") as keyof typeof ALLOWED;
  const rule = ALLOWED[type];
  if (!rule) return [];
  const problems: string[] = [];
  for (const key of SETTINGS) {
    if (window[key] !== undefined && !rule.allowed.includes(key))
      problems.push(`${path}.${key}: a time window of type ${type} cannot have '${key}'`);
  }
  for (const key of rule.required) {
    if (window[key] === undefined) problems.push(`${path}.${key}: a time window of type ${type} must have '${key}'`);
  }
  return problems;
}
