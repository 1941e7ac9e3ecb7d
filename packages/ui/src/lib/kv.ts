/** The KV store editor's logic: a typed value as the API's PUT body, and a value as text to show or edit. */

export const KV_TYPES = ["STRING", "NUMBER", "BOOLEAN", "DATETIME", "DATE", "DURATION", "JSON"] as const;
export type KvType = (typeof KV_TYPES)[number];

export interface KvBody {
  body: string;
  contentType: string;
}

/**
 * The PUT body for `text` typed as `type` (the API keeps a JSON body's type, and reads bare text
 * as a date, a date-time or a duration); throws an Error with a message for a value that does not
 * fit its type.
 */
export function kvBody(type: KvType, text: string): KvBody {
  const json = (value: unknown) => ({ body: JSON.stringify(value), contentType: "application/json" });
  const plain = (value: string) => ({ body: value, contentType: "text/plain" });
  const trimmed = text.trim();
  switch (type) {
    case "STRING":
      return json(text);
    case "NUMBER": {
      const n = Number(trimmed);
      if (trimmed === "" || !Number.isFinite(n)) throw new Error(`'${text}' is not a number`);
      return json(n);
    }
    case "BOOLEAN":
      if (trimmed !== "true" && trimmed !== "false") throw new Error("A boolean is true or false");
      return json(trimmed === "true");
    case "DATE":
      if (!/^\d{4}-\d{2}-\d{2}$/.test(trimmed)) throw new Error(`'${text}' is not a date (YYYY-MM-DD)`);
      return plain(trimmed);
    case "DATETIME": {
      if (!/^\d{4}-\d{2}-\d{2}T/.test(trimmed) || Number.isNaN(Date.parse(trimmed)))
        throw new Error(`'${text}' is not a date-time (2026-01-31T10:00:00Z)`);
      return plain(new Date(trimmed).toISOString());
    }
    case "DURATION":
      if (!/^P(?!$)(\d+(\.\d+)?D)?(T(?=\d)(\d+(\.\d+)?H)?(\d+(\.\d+)?M)?(\d+(\.\d+)?S)?)?$/i.test(trimmed))
        throw new Error(`'${text}' is not an ISO-8601 duration (PT1H30M)`);
      return plain(trimmed.toUpperCase());
    case "JSON": {
      let value: unknown;
      try {
        value = JSON.parse(trimmed);
      } catch {
        throw new Error("The value is not valid JSON");
      }
      if (value === null || typeof value !== "object") throw new Error("A JSON value is an object or an array");
      return { body: JSON.stringify(value), contentType: "application/json" };
    }
  }
}

/** A stored value as text in the editor (JSON pretty-printed). */
export function kvText(type: KvType, value: unknown): string {
  if (type === "JSON") return JSON.stringify(value, null, 2);
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** A positive ISO-8601 duration for the `ttl` header, or undefined for none; throws for a bad one. */
export function ttlHeader(text: string): string | undefined {
  const trimmed = text.trim().toUpperCase();
  if (!trimmed) return undefined;
  if (!/^P(?!$)(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/.test(trimmed))
    throw new Error(`TTL '${text}' is not an ISO-8601 duration such as PT1H or P7D`);
  return trimmed;
}
