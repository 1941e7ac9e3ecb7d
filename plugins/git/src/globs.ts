/**
 * Kestra's glob patterns (`*`, `**`, `?`, `{a,b}`, `[…]`) over `/`-separated paths, matched on RE2
 * (linear time): a glob comes from a flow or from a repository's `.kestraignore`, and
 * `*a*a*a*a*a*a*a*a*b` against a long name would hold a backtracking engine for minutes.
 */
import { errorMessage, NonRetryableError } from "@saker/sdk";
import { RegexError, userRegex } from "@saker/sdk/regex";

/** A compiled glob: whether it matches the whole of a path or name. */
export interface Glob {
  test(text: string): boolean;
}

export function compileGlob(glob: string): Glob {
  let out = "";
  let braces = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*") {
      if (glob[i + 1] === "*") {
        i++;
        if (glob[i + 1] === "/") {
          i++;
          out += "(?:.*/)?";
        } else out += ".*";
      } else out += "[^/]*";
    } else if (c === "?") out += "[^/]";
    else if (c === "{") {
      braces++;
      out += "(?:";
    } else if (c === "}" && braces > 0) {
      braces--;
      out += ")";
    } else if (c === "," && braces > 0) out += "|";
    else if (c === "[") {
      const end = glob.indexOf("]", i + 1);
      if (end < 0) out += "\\[";
      else {
        const members = glob.slice(i + 1, end);
        // `[]` matches nothing and `[!]` any one character (RE2 has no empty class to write them)
        if (members === "") out += "[^\\x{0}-\\x{10FFFF}]";
        else if (members === "!") out += "[\\x{0}-\\x{10FFFF}]";
        else out += `[${members.replace(/^!/, "^").replace(/\\/g, "\\\\")}]`;
        i = end;
      }
    } else out += c.replace(/[.+^$()|\\\]]/g, "\\$&");
  }
  const regex = userRegex(out);
  return { test: (text) => regex.testExact(text) };
}

/** A glob property as Kestra takes it: one glob, a list, or a JSON text of a list; undefined matches all. */
export function globsOf(value: string | readonly string[] | undefined, property: string): Glob[] | undefined {
  if (value === undefined) return undefined;
  let list: unknown = value;
  if (typeof value === "string") {
    try {
      list = JSON.parse(value);
    } catch {
      list = [value];
    }
    if (typeof list === "string") list = [list];
  }
  if (!Array.isArray(list) || list.some((g) => typeof g !== "string"))
    throw new NonRetryableError("must be a glob or a list of globs", { path: property });
  return (list as string[]).map((glob) => {
    try {
      return compileGlob(glob);
    } catch (error) {
      throw new NonRetryableError(
        `'${glob}' is not a valid glob: ${error instanceof RegexError ? error.problem : errorMessage(error)}`,
        { path: property, cause: error },
      );
    }
  });
}

export const matchesAny = (globs: Glob[] | undefined, ...candidates: string[]) =>
  !globs || globs.some((g) => candidates.some((c) => g.test(c)));
