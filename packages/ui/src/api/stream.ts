/**
 * Server-sent event streams read with fetch (an EventSource cannot send the Authorization header):
 * `/executions/{id}/follow`, `/logs/{id}/follow`. Each event's `id:` and parsed `data:` go to
 * `onEvent`; the promise settles when the server ends the stream or `signal` aborts it.
 */
import { API, ApiError, auth, queryString, type Query } from "./client.ts";
import { connection } from "./connection.ts";

export interface StreamEvent<T = unknown> {
  id: string;
  data: T;
}

/** Splits an event-stream text into complete events, returning them and the unfinished rest. */
export function parseEventStream(text: string): { events: StreamEvent<string>[]; rest: string } {
  const events: StreamEvent<string>[] = [];
  const blocks = text.split(/\r?\n\r?\n/);
  const rest = blocks.pop() ?? "";
  for (const block of blocks) {
    let id = "";
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "id") id = value;
      else if (field === "data") data.push(value);
    }
    if (data.length) events.push({ id, data: data.join("\n") });
  }
  return { events, rest };
}

export async function follow<T = unknown>(
  path: string,
  onEvent: (event: StreamEvent<T>) => void,
  options: { signal?: AbortSignal; query?: Query } = {},
): Promise<void> {
  const headers: Record<string, string> = { Accept: "text/event-stream", "X-Requested-With": "XMLHttpRequest" };
  const authorization = auth.header();
  if (authorization) headers.Authorization = authorization;
  let response: Response;
  try {
    response = await fetch(API + path + queryString(options.query), { headers, signal: options.signal });
  } catch (error) {
    if ((error as Error).name === "AbortError") return;
    connection.lost();
    throw new ApiError(0, "NETWORK", "The server cannot be reached");
  }
  if (!response.ok || !response.body) {
    if (response.status === 401) connection.unauthorized();
    throw new ApiError(response.status, `HTTP_${response.status}`, await response.text().catch(() => ""));
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      const parsed = parseEventStream(buffer + value);
      buffer = parsed.rest;
      for (const e of parsed.events) onEvent({ id: e.id, data: JSON.parse(e.data) as T });
    }
  } catch (error) {
    if ((error as Error).name === "AbortError") return;
    connection.lost();
    throw error;
  }
}
