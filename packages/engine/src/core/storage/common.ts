/** Helpers shared by the storage tasks: temporary file names, extensions, working-dir files. */
import { randomInt } from "node:crypto";
import { NonRetryableError, type RunContext } from "@saker/sdk";
import { SCHEME } from "../../storage/paths.ts";
import { matchingFiles } from "../../storage/workingFiles.ts";
import { isDataLimitError, parseJsonData } from "../../model/dataLimits.ts";

/** A file name as Java's temp files have them: random digits, then the extension. */
export function tempName(extension = ".tmp"): string {
  const ext = extension === "" || extension.startsWith(".") ? extension : `.${extension}`;
  return `${randomInt(1e9, 1e10 - 1)}${randomInt(1e8, 1e9 - 1)}${ext}`;
}

/** The extension of a URI's last segment (`.csv`), or `fallback`. */
export function extensionOf(uri: string, fallback = ".tmp"): string {
  const name = uri.slice(uri.lastIndexOf("/") + 1);
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot) : fallback;
}

/** Checks a property that must hold a `kestra://` URI. */
export function storageUri(value: string, property: string): string {
  const uri = value.trim();
  if (!uri.startsWith(SCHEME)) throw new NonRetryableError(`'${property}' must be a kestra:// URI, got '${uri}'`);
  return uri;
}

/**
 * A map property that may also come as the JSON text of a map: properties already turn valid JSON
 * into a map, so text reaching here is not one and gets a message saying what was expected.
 */
export function mapOrJsonText(
  value: Record<string, unknown> | string,
  property: string,
  what: string,
): Record<string, unknown> {
  if (typeof value !== "string") return value;
  try {
    const parsed: unknown = parseJsonData(value, `'${property}'`);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch (error) {
    if (isDataLimitError(error)) throw error;
  }
  throw new NonRetryableError(`'${property}' must be a map of ${what}, or its JSON text, got '${value.slice(0, 80)}'`);
}

/** Files of the task's working directory matching the globs (relative to it). */
export async function workingDirFiles(ctx: RunContext, globs: readonly string[]): Promise<string[]> {
  return matchingFiles(await ctx.workingDir(), globs);
}
