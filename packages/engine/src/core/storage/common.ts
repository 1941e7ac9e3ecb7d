/** Helpers shared by the storage tasks: temporary file names, extensions, working-dir files. */
import { randomInt } from "node:crypto";
import { readdir } from "node:fs/promises";
import { join, posix, relative, sep } from "node:path";
import { NonRetryableError, type RunContext } from "@saker/sdk";
import picomatch from "picomatch";
import { SCHEME } from "../../storage/paths.ts";

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
 * A test for paths written as Kestra writes them: `glob:` (the default) or `regex:` patterns, where
 * a pattern starting with a word character matches at any depth and `**` may sit inside a segment.
 */
export function pathMatcher(patterns: readonly string[], options: { anyDepth?: boolean } = {}): (path: string) => boolean {
  const tests = patterns.map((raw) => {
    if (raw.startsWith("regex:")) {
      const re = new RegExp(`^(?:${raw.slice(6)})$`);
      return (path: string) => re.test(path);
    }
    let glob = raw.startsWith("glob:") ? raw.slice(5) : raw;
    if (options.anyDepth && /^\w/.test(glob)) glob = `**/${glob}`;
    glob = glob.replace(/\*\*(?=[^/])/g, "**/*").replace(/(?<=[^/])\*\*/g, "*/**");
    return picomatch(glob, { dot: true });
  });
  return (path) => tests.some((test) => test(path));
}

/** Every file below `dir`, as paths relative to it with `/` separators. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join(posix.sep))
    .sort();
}

/** Files of the task's working directory matching the globs (relative to it). */
export async function workingDirFiles(ctx: RunContext, globs: readonly string[]): Promise<string[]> {
  const dir = await ctx.workingDir();
  const matches = pathMatcher(globs.map((g) => (g.startsWith("/") ? g.slice(1) : g)));
  return (await listFiles(dir)).filter(matches);
}
