import { parseDuration } from "@saker/sdk";

export interface CheckFrequency {
  maxIterations?: number;
  maxDuration?: number;
  interval: number;
}

/** Reads a `checkFrequency` block over the loop type's defaults. */
export function compileCheckFrequency(raw: unknown, defaults: CheckFrequency): CheckFrequency {
  const value = (raw ?? {}) as Record<string, unknown>;
  const ms = (v: unknown) => (typeof v === "string" ? parseDuration(v) : typeof v === "number" ? v : undefined);
  const result: CheckFrequency = { ...defaults };
  if (value.maxIterations !== undefined) result.maxIterations = Number(value.maxIterations);
  const maxDuration = ms(value.maxDuration);
  if (maxDuration !== undefined) result.maxDuration = maxDuration;
  const interval = ms(value.interval);
  if (interval !== undefined) result.interval = interval;
  return result;
}
