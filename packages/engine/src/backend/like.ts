/**
 * `LIKE` patterns of literal text, for both backends: `\`, `%` and `_` escaped, to be used with
 * `ESCAPE '\'` in the statement.
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
