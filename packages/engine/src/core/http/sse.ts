/** Server-Sent Events read from a response body, as the SSE specification frames them. */
import { formatDuration } from "@saker/sdk";

export interface SseEvent {
  data: unknown;
  id?: string;
  name?: string;
  comment?: string;
  retry?: string;
}

interface Pending {
  data: string[];
  id?: string;
  name?: string;
  comment?: string;
  retry?: string;
}

/** The event's data as JSON when it parses, its text otherwise. */
function dataOf(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Reads events from `chunks` until the stream ends; `onEvent` gets each complete one. */
export async function readSse(
  chunks: AsyncIterable<Buffer | string>,
  onEvent: (event: SseEvent) => void,
): Promise<void> {
  let buffer = "";
  let pending: Pending = { data: [] };
  const dispatch = () => {
    if (pending.data.length > 0) {
      onEvent({
        data: dataOf(pending.data.join("\n")),
        ...(pending.id !== undefined ? { id: pending.id } : {}),
        ...(pending.name !== undefined ? { name: pending.name } : {}),
        ...(pending.comment !== undefined ? { comment: pending.comment } : {}),
        ...(pending.retry !== undefined ? { retry: pending.retry } : {}),
      });
    }
    pending = { data: [] };
  };
  const line = (text: string) => {
    if (text === "") return dispatch();
    const colon = text.indexOf(":");
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? "" : text.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "") pending.comment = pending.comment === undefined ? value : `${pending.comment}\n${value}`;
    else if (field === "data") pending.data.push(value);
    else if (field === "event") pending.name = value;
    else if (field === "id") pending.id = value;
    else if (field === "retry" && /^\d+$/.test(value)) pending.retry = formatDuration(Number(value));
  };
  const decoder = new TextDecoder();
  for await (const chunk of chunks) {
    buffer += typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
    let end: RegExpExecArray | null;
    const eol = /\r\n|\r|\n/;
    while ((end = eol.exec(buffer)) !== null) {
      // a lone \r at the end may be the first half of \r\n: wait for the next chunk
      if (end[0] === "\r" && end.index === buffer.length - 1) break;
      line(buffer.slice(0, end.index));
      buffer = buffer.slice(end.index + end[0].length);
    }
  }
  buffer += decoder.decode();
  if (buffer !== "") line(buffer.replace(/\r$/, ""));
  dispatch();
}
