/**
 * The grok patterns a task run uses: the standard library, then the pattern files of
 * `patternsDir` (folders of the working directory), then `patternDefinitions`; a later
 * definition replaces an earlier one of the same name.
 */
import { lstat, readdir, readFile, realpath } from "node:fs/promises";
import { isAbsolute, join, relative, resolve } from "node:path";
import type { RunContext } from "@saker/sdk";
import { badProperty } from "../errors.ts";
import { parsePatternFile, STANDARD_PATTERNS } from "./patterns.ts";

/** The definitions of the pattern files of one folder of the working directory, in name order. */
async function readPatternsDir(ctx: RunContext, dir: string): Promise<Record<string, string>> {
  const root = await realpath(await ctx.workingDir());
  const folder = resolve(root, dir);
  const inside = relative(root, folder);
  if (inside.startsWith("..") || isAbsolute(inside))
    throw badProperty("patternsDir", `must name folders of the working directory ('${dir}' is outside it)`);
  const info = await lstat(folder).catch(() => undefined);
  if (!info?.isDirectory()) {
    // As Kestra: a missing folder is logged, not fatal.
    ctx.logger.error(`patternsDir: '${dir}' is not a folder of the working directory, its patterns are not loaded`);
    return {};
  }
  const definitions: Record<string, string> = {};
  for (const name of (await readdir(folder)).sort()) {
    const file = join(folder, name);
    // A link is never followed: the folder's own regular files only.
    if ((await lstat(file)).isFile()) Object.assign(definitions, parsePatternFile(await readFile(file, "utf8")));
  }
  return definitions;
}

export async function patternDefinitions(
  ctx: RunContext,
  patternsDir: readonly string[] | undefined,
  own: Readonly<Record<string, string>> | undefined,
): Promise<Record<string, string>> {
  const definitions: Record<string, string> = { ...STANDARD_PATTERNS };
  for (const dir of patternsDir ?? []) Object.assign(definitions, await readPatternsDir(ctx, dir));
  return Object.assign(definitions, own ?? {});
}
