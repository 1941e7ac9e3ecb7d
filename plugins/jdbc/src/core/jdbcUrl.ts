/**
 * JDBC URLs as Kestra flows write them (`jdbc:postgresql://host:5432/db?user=u&ssl=true`), read
 * into host, port, database and query properties for the Node drivers. Passwords never appear in
 * an error message: {@link redactUrl} hides them first.
 */
import { NonRetryableError } from "@saker/sdk";

export interface ServerUrl {
  host: string;
  port: number | undefined;
  database: string | undefined;
  /** Query properties; keys as written (JDBC property names are case-sensitive). */
  properties: Record<string, string>;
  /** `user:password@` written before the host, which some drivers accept. */
  user?: string;
  password?: string;
}

const SECRET_KEYS = /^(password|sslpassword|sslkeypassword|pwd)$/i;

/** The URL with every password (in `user:pass@` or in a query property) replaced by `***`. */
export function redactUrl(url: string): string {
  return url
    .replace(/(\/\/[^/@:?]*:)[^@/?]*@/, "$1***@")
    .replace(/([?&;])([^=&;]+)=([^&;]*)/g, (all, sep: string, key: string) =>
      SECRET_KEYS.test(key) ? `${sep}${key}=***` : all,
    );
}

/** Checks the scheme and returns what follows it. */
export function stripScheme(url: string, schemes: readonly string[]): { scheme: string; rest: string } {
  const trimmed = url.trim();
  for (const scheme of schemes)
    if (trimmed.toLowerCase().startsWith(scheme)) return { scheme, rest: trimmed.slice(scheme.length) };
  throw new NonRetryableError(
    `property 'url' must start with ${schemes.map((s) => `'${s}'`).join(" or ")} (got '${redactUrl(trimmed)}')`,
  );
}

function decode(text: string, url: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new NonRetryableError(
      `property 'url' has a badly escaped part '${text.replace(/./g, "*").slice(0, 3)}…' (url '${redactUrl(url)}')`,
    );
  }
}

/** Parses `//[user[:password]@]host[:port][,host2…][/database][?k=v&…]` (what follows `jdbc:<db>:`). */
export function parseServerUrl(rest: string, url: string, defaultPort: number): ServerUrl {
  const m = /^\/\/(?:([^@/?]*)@)?([^/?]*)(?:\/([^?]*))?(?:\?(.*))?$/s.exec(rest);
  if (!m)
    throw new NonRetryableError(
      `property 'url' is not a JDBC URL of the form jdbc:<db>://host[:port]/database (got '${redactUrl(url)}')`,
    );
  const [, auth, hosts = "", database, query] = m;
  const first = hosts.split(",")[0]!.trim();
  const hostPort = /^(\[[^\]]+\]|[^:]*)(?::(\d*))?$/.exec(first);
  if (!hostPort) throw new NonRetryableError(`property 'url' has an invalid host '${first}' (url '${redactUrl(url)}')`);
  const host = (hostPort[1] ?? "").replace(/^\[|\]$/g, "") || "localhost";
  const port = hostPort[2] ? Number(hostPort[2]) : defaultPort;
  if (!Number.isInteger(port) || port <= 0 || port > 65535)
    throw new NonRetryableError(`property 'url' has an invalid port (url '${redactUrl(url)}')`);
  const properties: Record<string, string> = {};
  for (const pair of (query ?? "").split(/[&;]/)) {
    if (!pair) continue;
    const eq = pair.indexOf("=");
    const key = decode(eq < 0 ? pair : pair.slice(0, eq), url);
    properties[key] = eq < 0 ? "" : decode(pair.slice(eq + 1), url);
  }
  const result: ServerUrl = { host, port, database: database ? decode(database, url) : undefined, properties };
  if (auth) {
    const colon = auth.indexOf(":");
    result.user = decode(colon < 0 ? auth : auth.slice(0, colon), url);
    if (colon >= 0) result.password = decode(auth.slice(colon + 1), url);
  }
  return result;
}

/** A boolean URL property (`true`/`false`, any case); undefined when absent. */
export function booleanProperty(properties: Record<string, string>, ...keys: string[]): boolean | undefined {
  const value = property(properties, ...keys);
  return value === undefined ? undefined : value === "" || /^(true|1|yes)$/i.test(value);
}

/** A URL property by case-insensitive name. */
export function property(properties: Record<string, string>, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const found = Object.keys(properties).find((k) => k.toLowerCase() === key.toLowerCase());
    if (found !== undefined) return properties[found];
  }
  return undefined;
}

/**
 * The password a `jdbc:<db>://…` URL carries (`?password=…`, else `user:password@`), to hide
 * from messages; undefined when it has none or cannot be read.
 */
export function passwordOfUrl(url: string): string | undefined {
  const m = /^jdbc:[^:/]+:(\/\/.*)$/is.exec(url.trim());
  if (!m) return undefined;
  try {
    const server = parseServerUrl(m[1]!, url, 1);
    return property(server.properties, "password") ?? server.password;
  } catch {
    return undefined;
  }
}
