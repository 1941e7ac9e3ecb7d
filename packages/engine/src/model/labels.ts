/** An execution's labels as flows and tasks give them: parsed from any of their forms, and merged. */
import { SakerError } from "@saker/sdk";
import type { Label } from "./execution.ts";
import { isDataLimitError, parseJsonData } from "./dataLimits.ts";

/** Reads labels given as a map, a list of `{key, value}`, or a JSON text of either. */
export function parseLabels(raw: unknown): Label[] {
  let value = raw;
  if (typeof value === "string") {
    try {
      value = parseJsonData(value, "labels");
    } catch (error) {
      if (isDataLimitError(error)) throw error;
      throw new SakerError(
        "PROPERTY_INVALID",
        `labels must be a map, a list of {key, value} or their JSON, got '${raw}'`,
      );
    }
  }
  if (Array.isArray(value)) {
    return value.map((item) => {
      const { key, value: v } = (item ?? {}) as Record<string, unknown>;
      if (typeof key !== "string") throw new SakerError("PROPERTY_INVALID", "each label needs a 'key'");
      return { key, value: v === undefined || v === null ? "" : String(v) };
    });
  }
  if (value && typeof value === "object")
    return Object.entries(value).map(([key, v]) => ({ key, value: v === null || v === undefined ? "" : String(v) }));
  throw new SakerError("PROPERTY_INVALID", "labels must be a map or a list of {key, value}");
}

/** Labels merged into `current`: a new value replaces the old one for the same key. */
export function mergeLabels(current: readonly Label[], added: readonly Label[]): Label[] {
  const keys = new Set(added.map((l) => l.key));
  return [...current.filter((l) => !keys.has(l.key)), ...added];
}
