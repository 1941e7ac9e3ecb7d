/** Redis' `serdeType`: STRING or JSON, as Kestra's Redis plugin offers. */
import { deserialize, serdeTypeProperty, serialize } from "../core/index.ts";

export const redisSerdeType = serdeTypeProperty(
  ["STRING", "JSON"] as const,
  "How values are read and written: STRING (as they are) or JSON (parsed on read, serialized on write).",
);
export type RedisSerde = "STRING" | "JSON";

/** The value stored as `text`; `where` names it in errors (`element 2 of list 'orders'`). */
export function decodeValue(text: string, serde: RedisSerde, where: string): unknown {
  return deserialize(text, serde, where);
}

/** The text stored for `value`. */
export function encodeValue(value: unknown, serde: RedisSerde, where: string): string {
  return serialize(value, serde, where).toString("utf8");
}
