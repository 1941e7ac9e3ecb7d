/** Kestra's glob patterns (`*`, `**`, `?`, `{a,b}`, `[…]`) over `/`-separated paths. */
import { NonRetryableError } from "@saker/sdk";

export function globToRegExp(glob: string): RegExp {
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
        out += `[${glob
          .slice(i + 1, end)
          .replace(/^!/, "^")
          .replace(/\\/g, "\\\\")}]`;
        i = end;
      }
    } else out += c.replace(/[.+^$()|\\\]]/g, "\\$&");
  }
  return new RegExp(`^${out}$`);
}

/** A glob property as Kestra takes it: one glob, a list, or a JSON text of a list; undefined matches all. */
export function globsOf(value: string | readonly string[] | undefined, property: string): RegExp[] | undefined {
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
  return (list as string[]).map(globToRegExp);
}

export const matchesAny = (globs: RegExp[] | undefined, ...candidates: string[]) =>
  !globs || globs.some((g) => candidates.some((c) => g.test(c)));
