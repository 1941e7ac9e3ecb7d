/**
 * Turning a task's properties into the command a runner starts, as Kestra assembles it:
 * `interpreter + [lines joined by newlines]`, where the lines are `set -e` (with `failFast`),
 * `beforeCommands`, then the commands, or the line running the script file.
 *
 * @module
 */
import { accessSync, constants } from "node:fs";
import { delimiter, isAbsolute, join } from "node:path";
import type { Language } from "./languages.ts";

const DEFAULT_SHELL = ["/bin/sh", "-c"] as const;

/** Quotes one argument for a POSIX shell. */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The first of `names` that is an executable on `path`, as an absolute path. */
export function findOnPath(names: readonly string[], path: string | undefined): string | undefined {
  for (const name of names) {
    if (isAbsolute(name)) {
      if (isExecutable(name)) return name;
      continue;
    }
    for (const dir of (path ?? "").split(delimiter)) {
      if (!dir) continue;
      const candidate = join(dir, name);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface CommandParts {
  language: Language;
  interpreter: readonly string[] | undefined;
  failFast: boolean;
  beforeCommands: readonly string[];
  /** The commands, or the line(s) that run the script. */
  commands: readonly string[];
}

export function assembleCommand(parts: CommandParts): string[] {
  const wrapper = parts.interpreter ?? parts.language.shell ?? DEFAULT_SHELL;
  const lines = [
    ...(parts.failFast ? [parts.language.failFastLine ?? "set -e"] : []),
    ...parts.beforeCommands,
    ...parts.commands,
  ];
  return [...wrapper, lines.join("\n")];
}

/** The line that runs a script file with the language's interpreter. */
export function scriptLine(interpreter: string, language: Language, file: string): string {
  return [interpreter, ...(language.args ?? []), file].map(shellQuote).join(" ");
}
