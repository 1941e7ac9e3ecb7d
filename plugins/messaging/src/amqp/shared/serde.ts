/**
 * Message payloads as Kestra's `serdeType` reads and writes them: `STRING` (UTF-8 text), `JSON`
 * (a JSON document) and, where the family has it, `BYTES` (raw bytes).
 */
import { NonRetryableError } from "@saker/sdk";

export type PayloadSerde = "STRING" | "JSON" | "BYTES";

/** A payload as the flow sees it; `where` names the message in the error of a payload that is not JSON. */
export function decodePayload(payload: Buffer, serde: PayloadSerde, where: string): unknown {
  if (serde === "BYTES") return payload;
  const text = payload.toString("utf8");
  if (serde === "STRING") return text;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const start = text.length > 60 ? `${text.slice(0, 60)}…` : text;
    throw new NonRetryableError(
      `${where} is not valid JSON (serdeType JSON): ${(error as Error).message}; it starts with ${JSON.stringify(start)}`,
    );
  }
}

/** The bytes of a value to send: text as it is for STRING (other values as JSON), JSON text for JSON. */
export function encodePayload(value: unknown, serde: PayloadSerde): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value);
  if (serde === "JSON") return Buffer.from(JSON.stringify(value ?? null), "utf8");
  if (value === null || value === undefined) return Buffer.alloc(0);
  if (serde === "BYTES" && typeof value === "string") return Buffer.from(value, "base64");
  return Buffer.from(typeof value === "string" ? value : JSON.stringify(value), "utf8");
}
