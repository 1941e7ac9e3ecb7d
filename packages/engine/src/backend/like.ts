/**
 * `LIKE` patterns of literal text, for both backends: `\`, `%` and `_` escaped, to be used with
 * `ESCAPE '\'` in the statement. SQLite's `LIKE` ignores ASCII case (PostgreSQL's does not):
 * where case counts, SQLite takes a `GLOB` pattern (`globPrefix`).
 */

/** The text with `LIKE`'s wildcards and escape character escaped. */
export const likeEscape = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Values starting with `prefix`. */
export const likePrefix = (prefix: string): string => `${likeEscape(prefix)}%`;

/** Values containing `text`. */
export const likeContains = (text: string): string => `%${likeEscape(text)}%`;

/** Values ending with `suffix`. */
export const likeSuffix = (suffix: string): string => `%${likeEscape(suffix)}`;

/** Namespaces below `namespace` (`a.b` → `a.b.c`, not `a.bc`). */
export const likeBelowNamespace = (namespace: string): string => `${likeEscape(namespace)}.%`;

/** SQLite `GLOB` pattern of values starting with `prefix`, case-sensitive: `*`, `?` and `[` in brackets. */
export const globPrefix = (prefix: string): string => `${globEscape(prefix)}*`;

/** The text with SQLite `GLOB`'s special characters in brackets. */
export const globEscape = (text: string): string => text.replace(/[*?[]/g, (c) => `[${c}]`);
