/**
 * Files in a task's working directory, as the WorkingDirectory task, LocalFiles and the namespace
 * file tasks handle them: Kestra's path patterns, writing named files (text, or a `kestra://` file
 * copied from storage) without leaving the directory, and storing the files matching patterns.
 */
import { createWriteStream } from "node:fs";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { basename, dirname, join, posix, relative, resolve, sep } from "node:path";
import { pipeline } from "node:stream/promises";
import { NonRetryableError, type TaskStorage } from "@saker/sdk";
import picomatch from "picomatch";
import { assertNoLinkBelow } from "./noFollow.ts";
import { userRegex } from "../model/regex.ts";
import { SCHEME } from "./paths.ts";

/**
 * A test for paths written as Kestra writes them: `glob:` (the default) or `regex:` patterns, where
 * a pattern starting with a word character matches at any depth and `**` may sit inside a segment.
 */
export function pathMatcher(
  patterns: readonly string[],
  options: { anyDepth?: boolean } = {},
): (path: string) => boolean {
  const tests = patterns.map((raw) => {
    if (raw.startsWith("regex:")) {
      const re = userRegex(raw.slice(6));
      return (path: string) => re.testExact(path);
    }
    let glob = raw.startsWith("glob:") ? raw.slice(5) : raw;
    if (options.anyDepth && /^\w/.test(glob)) glob = `**/${glob}`;
    glob = glob.replace(/\*\*(?=[^/])/g, "**/*").replace(/(?<=[^/])\*\*/g, "*/**");
    return picomatch(glob, { dot: true });
  });
  return (path) => tests.some((test) => test(path));
}

/** Every regular file below `dir` (links are neither listed nor followed), as paths relative to it with `/` separators. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join(posix.sep))
    .sort();
}

/** The files below `dir` matching the patterns (a leading `/` means the directory itself). */
export async function matchingFiles(dir: string, patterns: readonly string[]): Promise<string[]> {
  const matches = pathMatcher(patterns.map((g) => (g.startsWith("/") ? g.slice(1) : g)));
  return (await listFiles(dir)).filter(matches);
}

/**
 * Writes each named file into `dir`: bytes and text as they are, a `kestra://` URI copied from
 * storage. A name through a symbolic link (left by an earlier task) is refused, never written through.
 */
export async function writeFiles(
  dir: string,
  files: Readonly<Record<string, unknown>>,
  storage: Pick<TaskStorage, "getFile">,
): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    if (content === null || content === undefined) continue;
    const file = resolve(dir, name);
    const rel = relative(dir, file);
    if (rel === "" || rel.startsWith("..") || rel.startsWith(sep))
      throw new NonRetryableError(`File name '${name}' leaves the working directory`);
    await assertNoLinkBelow(dir, file, name);
    await mkdir(dirname(file), { recursive: true });
    if (Buffer.isBuffer(content)) {
      await writeFile(file, content);
      continue;
    }
    const text = typeof content === "string" ? content : JSON.stringify(content);
    if (text.startsWith(SCHEME)) await pipeline(await storage.getFile(text), createWriteStream(file));
    else await writeFile(file, text);
  }
}

/** Stores the files of `dir` matching the patterns; returns relative path → URI. */
export async function storeFiles(
  dir: string,
  patterns: readonly string[],
  storage: Pick<TaskStorage, "putFile">,
): Promise<Record<string, string>> {
  const uris: Record<string, string> = {};
  for (const path of await matchingFiles(dir, patterns))
    uris[path] = await storage.putFile(join(dir, path), basename(path));
  return uris;
}
