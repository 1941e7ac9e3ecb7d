/** Archive entry names: only relative paths that stay inside the archive are accepted. */
import { NonRetryableError } from "@saker/sdk";

/** The normalised name (forward slashes, no leading `./`), or an error for `..`, absolute or empty names. */
export function safeEntryName(raw: string, what = "entry"): string {
  const name = raw.replace(/\\/g, "/").replace(/^(\.\/)+/, "");
  const parts = name.split("/");
  if (
    name === "" ||
    name.startsWith("/") ||
    /^[A-Za-z]:/.test(name) ||
    name.includes("\0") ||
    parts.some((p) => p === "..")
  )
    throw new NonRetryableError(`${what} '${raw}' is refused: names must be relative paths without '..'`);
  return parts.filter((p) => p !== "" && p !== ".").join("/");
}
