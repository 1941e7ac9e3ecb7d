/**
 * From a webhook HTTP request to the `trigger` variables of the execution it starts: `body`
 * parsed as a JSON object, else a JSON array, else kept as the raw text (null when there is none);
 * `headers` and `parameters` as maps from a name to the list of its values.
 */
import { isDataLimitError, parseJsonData } from "../model/dataLimits.ts";

export interface WebhookRequest {
  /** The raw body; undefined or empty when the request had none. */
  body?: string | Buffer;
  /** As Node gives them: a value or a list of values per (lower-cased) name. */
  headers?: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The query string (`a=1&a=2`), a URLSearchParams, or a map of values. */
  query?: string | URLSearchParams | Readonly<Record<string, string | readonly string[] | undefined>>;
}

export interface WebhookVariables {
  body: unknown;
  headers: Record<string, string[]>;
  parameters: Record<string, string[]>;
}

/** A JSON object or array from the body text, else the text itself. */
export function parseWebhookBody(text: string | undefined): unknown {
  if (text === undefined || text === "") return null;
  try {
    const value: unknown = parseJsonData(text, "The webhook body");
    if (value !== null && typeof value === "object") return value;
  } catch (error) {
    if (isDataLimitError(error)) throw error;
    // Not JSON: the body stays text.
  }
  return text;
}

function multiMap(values: Readonly<Record<string, string | readonly string[] | undefined>>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) continue;
    out[name] = [...(out[name] ?? []), ...(typeof value === "string" ? [value] : value)];
  }
  return out;
}

function queryMap(query: WebhookRequest["query"]): Record<string, string[]> {
  if (query === undefined) return {};
  if (typeof query === "string" || query instanceof URLSearchParams) {
    const params =
      typeof query === "string" ? new URLSearchParams(query.startsWith("?") ? query.slice(1) : query) : query;
    const out: Record<string, string[]> = {};
    for (const [name, value] of params) (out[name] ??= []).push(value);
    return out;
  }
  return multiMap(query);
}

/** The `trigger` variables of a webhook execution. */
export function webhookVariables(request: WebhookRequest): WebhookVariables {
  const text = Buffer.isBuffer(request.body) ? request.body.toString("utf8") : request.body;
  return {
    body: parseWebhookBody(text),
    headers: multiMap(request.headers ?? {}),
    parameters: queryMap(request.query),
  };
}
