import { IonTemporal } from "@saker/sdk/ion";
import type { TemporalWriter } from "./dates.ts";

/** How a value read from Ion is written into a text cell (CSV); date-times through `dates`. */
export function cellText(value: unknown, dates?: TemporalWriter): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  if (value instanceof IonTemporal) return dates ? dates.write(value) : value.text;
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") return String(value);
  if (Buffer.isBuffer(value)) return value.toString("base64");
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
}
