import { IonAnnotated, IonDecimal, IonTimestamp, temporalOf } from "@saker/sdk/ion";
import type { TemporalWriter } from "./dates.ts";

/**
 * How a value read from Ion (plain, or with `tagged`) is written into a text cell (CSV, Avro
 * strings, Excel); date-times through `dates`.
 */
export function cellText(value: unknown, dates?: TemporalWriter): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") return String(value);
  if (value instanceof IonDecimal) return value.text;
  if (value instanceof IonTimestamp || value instanceof IonAnnotated) {
    const temporal = temporalOf(value);
    if (temporal) return dates ? dates.write(temporal) : temporal.text;
    return cellText((value as IonAnnotated).value, dates);
  }
  if (Buffer.isBuffer(value)) return value.toString("base64");
  // nested tagged values serialise as their text (toJSON)
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
}

/** Whether a value read from Ion is a struct (a row with named fields), not a list, a blob or a tagged scalar. */
export function isStruct(value: unknown): value is Record<string, unknown> {
  return (
    value !== null &&
    typeof value === "object" &&
    !Array.isArray(value) &&
    !Buffer.isBuffer(value) &&
    !(value instanceof IonTimestamp) &&
    !(value instanceof IonDecimal) &&
    !(value instanceof IonAnnotated)
  );
}
