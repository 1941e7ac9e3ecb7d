/**
 * `.kestraignore`: the gitignore-style file at the root of a synced or pushed folder, listing the
 * paths the git tasks leave alone (neither synced, nor pushed, nor deleted). The file itself is
 * never synced. Rules: `#` comments, `!` re-includes, a trailing `/` matches folders only, a
 * pattern holding `/` is anchored at the folder, one without matches a name at any depth; the
 * last matching rule wins, and what is under an ignored folder is ignored.
 */
import { lstat, readFile } from "node:fs/promises";
import { join } from "node:path";
import { errorMessage, type Logger } from "@saker/sdk";
import { RegexError } from "@saker/sdk/regex";
import { compileGlob, type Glob } from "./globs.ts";

export const IGNORE_FILE = ".kestraignore";

interface Rule {
  glob: Glob;
  negate: boolean;
  dirOnly: boolean;
  anchored: boolean;
}

export interface IgnoreRules {
  /** Whether `path` (relative to the folder, `/`-separated) is ignored; the root ignore file always is. */
  ignores(path: string): boolean;
}

/** `onInvalid` hears of each rule that does not compile (it matches nothing). */
export function parseIgnore(text: string, onInvalid?: (rule: string, reason: string) => void): IgnoreRules {
  const rules: Rule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.replace(/\s+$/, "");
    if (!line || line.startsWith("#")) continue;
    const negate = line.startsWith("!");
    if (negate) line = line.slice(1);
    const dirOnly = line.endsWith("/");
    line = line.replace(/\/+$/, "");
    const anchored = line.includes("/");
    line = line.replace(/^\/+/, "");
    if (!line) continue;
    let glob: Glob;
    try {
      glob = compileGlob(line);
    } catch (error) {
      // a pattern that does not compile (`[z-a]`) matches nothing
      onInvalid?.(raw.trim(), error instanceof RegexError ? error.problem : errorMessage(error));
      continue;
    }
    rules.push({ glob, negate, dirOnly, anchored });
  }
  const matches = (path: string, isDir: boolean) => {
    let ignored = false;
    const name = path.slice(path.lastIndexOf("/") + 1);
    for (const rule of rules)
      if ((!rule.dirOnly || isDir) && rule.glob.test(rule.anchored ? path : name)) ignored = !rule.negate;
    return ignored;
  };
  return {
    ignores(path) {
      if (path === IGNORE_FILE) return true;
      const parts = path.split("/");
      for (let i = 1; i <= parts.length; i++) if (matches(parts.slice(0, i).join("/"), i < parts.length)) return true;
      return false;
    },
  };
}

/** The rules of `<folder>/.kestraignore` (a regular file only; none when absent); a rule that does not compile is warned about. */
export async function readIgnore(folder: string, logger: Pick<Logger, "warn">): Promise<IgnoreRules> {
  const file = join(folder, IGNORE_FILE);
  const stat = await lstat(file).catch(() => undefined);
  return parseIgnore(stat?.isFile() ? await readFile(file, "utf8") : "", (rule, reason) =>
    logger.warn("{} rule '{}' is not a valid glob and matches nothing: {}", IGNORE_FILE, rule, reason),
  );
}
