/**
 * Message payloads ⇄ values, as Kestra's messaging plugins do with their `serdeType`: STRING
 * (UTF-8 text), JSON (parsed on read, written as JSON text) and BYTES (the raw bytes, stored as an
 * Ion blob). A family offers the subset Kestra offers it (Redis: STRING and JSON).
 */
import { NonRetryableError, z } from "@saker/sdk";

export const SERDE_TYPES = ["STRING", "JSON", "BYTES"] as const;
export type SerdeType = (typeof SERDE_TYPES)[number];

/** A `serdeType` property offering `types`, STRING by default. */
export function serdeTypeProperty<T extends readonly [SerdeType, ...SerdeType[]]>(types: T, description?: string) {
  return z
    .enum(types)
    .default("STRING" as T[number] & "STRING")
    .describe(description ?? `How message payloads are read and written: ${types.join(", ")}.`);
}

/** A payload as a Buffer, whatever the client handed over. */
function bytesOf(payload: Buffer | Uint8Array | string): Buffer {
  if (typeof payload === "string") return Buffer.from(payload, "utf8");
  return Buffer.isBuffer(payload) ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
}

/**
 * The value a payload holds. `where` names the message in errors (`message 3 of key 'orders'`):
 * a payload that is not JSON under serdeType JSON fails, naming it and the parser's reason.
 */
export function deserialize(payload: Buffer | Uint8Array | string, serde: SerdeType, where: string): unknown {
  if (serde === "BYTES") return bytesOf(payload);
  const text = typeof payload === "string" ? payload : bytesOf(payload).toString("utf8");
  if (serde === "STRING") return text;
  try {
    return JSON.parse(text);
  } catch (error) {
    const preview = text.length > 60 ? `${text.slice(0, 60)}…` : text;
    throw new NonRetryableError(
      `${where} is not valid JSON (serdeType JSON): ${(error as Error).message}; it starts with ${JSON.stringify(preview)}`,
    );
  }
}

/**
 * The payload of a value. STRING writes text as it is and other values as JSON (as Kestra's
 * `String.valueOf` would show a map, JSON being the only readable choice); JSON checks that a
 * string already is JSON and serializes anything else; BYTES takes bytes, or text as UTF-8.
 */
export function serialize(value: unknown, serde: SerdeType, where: string): Buffer {
  if (value instanceof Uint8Array) return bytesOf(value);
  if (serde === "JSON") {
    if (typeof value === "string") {
      deserialize(value, "JSON", where);
      return Buffer.from(value, "utf8");
    }
    return Buffer.from(JSON.stringify(value ?? null), "utf8");
  }
  if (typeof value === "string") return Buffer.from(value, "utf8");
  if (value === null || value === undefined) return Buffer.from(String(value), "utf8");
  if (typeof value === "object") return Buffer.from(JSON.stringify(value), "utf8");
  return Buffer.from(String(value), "utf8");
}
