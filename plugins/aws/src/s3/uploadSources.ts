/**
 * Upload's `from` as Kestra takes it: one `kestra://` URI, a list of URIs, a map of name → URI, or
 * a JSON text of a list or a map. A list's names are the URIs' file names.
 */
import { NonRetryableError } from "@saker/sdk";

export type UploadFrom = string | readonly string[] | Readonly<Record<string, string>>;

function parsedJson(text: string): unknown {
  const trimmed = text.trim();
  if (!trimmed.startsWith("[") && !trimmed.startsWith("{")) return text;
  try {
    return JSON.parse(trimmed);
  } catch {
    throw new NonRetryableError("from looks like JSON but cannot be parsed: give a URI, a list or a map of URIs", {
      path: "from",
    });
  }
}

function fileName(uri: string): string {
  const last = uri.split(/[/\\]/).pop() ?? "";
  try {
    return decodeURIComponent(last) || "file";
  } catch {
    return last || "file";
  }
}

/** Name → URI of every file to upload, in order. */
export function uploadSources(from: UploadFrom): Array<[string, string]> {
  const value = typeof from === "string" ? parsedJson(from) : from;
  let entries: Array<[string, unknown]>;
  if (typeof value === "string") entries = [[fileName(value), value]];
  else if (Array.isArray(value)) entries = value.map((uri: unknown) => [fileName(String(uri)), uri]);
  else if (value && typeof value === "object") entries = Object.entries(value);
  else throw new NonRetryableError("from must be a URI, a list or a map of URIs", { path: "from" });
  if (entries.length === 0)
    throw new NonRetryableError("No files to upload: from is an empty list or map", { path: "from" });
  return entries.map(([name, uri]) => {
    if (typeof uri !== "string" || uri === "")
      throw new NonRetryableError(`from: '${name}' must be a kestra:// URI`, { path: "from" });
    return [name, uri];
  });
}

/** `base/name` with one slash between, as Kestra joins a multi-file upload's keys. */
export function joinKey(base: string, name: string): string {
  const head = base.replace(/\/+$/, "");
  const tail = name.replace(/^\/+/, "");
  return head ? `${head}/${tail}` : tail;
}
