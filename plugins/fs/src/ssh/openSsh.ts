/**
 * The worker's OpenSSH files, read for `authMethod: OPEN_SSH` as Kestra's JSch reads them: the
 * client configuration (`Host` blocks, first value wins) and known_hosts files (plain and hashed
 * host names, `[host]:port`, `@revoked`).
 *
 * @module
 */
import { createHmac } from "node:crypto";
import { wildcardMatch } from "@saker/sdk/regex";

/** What a configuration says of one host (only the keywords the task applies). */
export interface HostConfig {
  hostName?: string;
  user?: string;
  port?: number;
  identityFiles: string[];
  userKnownHostsFiles: string[];
  hostKeyAlias?: string;
  /** Seconds (OpenSSH's unit). */
  connectTimeout?: number;
  /** Seconds. */
  serverAliveInterval?: number;
  /** What the configuration holds that is not applied (Match blocks, Include). */
  ignored: string[];
}

export interface Expansion {
  /** The worker's home directory, for `~` and `%d`. */
  home: string;
  /** The worker's user name, for `%u`. */
  localUser: string;
}

/** Splits a value into words, honouring double quotes. */
function words(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/"([^"]*)"|(\S+)/g)) out.push(m[1] ?? m[2]!);
  return out;
}

/** A comma- or space-separated pattern list: no negated pattern matches, and one plain pattern does. */
function patternListMatches(patterns: readonly string[], name: string): boolean {
  let matched = false;
  for (const pattern of patterns) {
    if (pattern.startsWith("!")) {
      if (wildcardMatch(name, pattern.slice(1), { caseInsensitive: true })) return false;
    } else if (wildcardMatch(name, pattern, { caseInsensitive: true })) matched = true;
  }
  return matched;
}

/** The settings of `host` in an OpenSSH client configuration. */
export function hostConfig(text: string, host: string): HostConfig {
  const values = new Map<string, string[]>();
  const config: HostConfig = { identityFiles: [], userKnownHostsFiles: [], ignored: [] };
  // lines before the first Host or Match apply to every host
  let applies = true;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const m = /^(\S+?)(?:\s*=\s*|\s+)(.*)$/.exec(line);
    if (!m) continue;
    const keyword = m[1]!.toLowerCase();
    const args = words(m[2]!);
    if (keyword === "host") {
      applies = patternListMatches(args, host);
      continue;
    }
    if (keyword === "match") {
      config.ignored.push(`Match ${m[2]}`);
      applies = false;
      continue;
    }
    if (!applies) continue;
    if (keyword === "include") config.ignored.push(`Include ${m[2]}`);
    else if (keyword === "identityfile") config.identityFiles.push(...args.slice(0, 1));
    else if (!values.has(keyword)) values.set(keyword, args);
  }
  const first = (keyword: string) => values.get(keyword)?.[0];
  const number = (keyword: string) => {
    const value = first(keyword);
    return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
  };
  const hostName = first("hostname");
  if (hostName !== undefined) config.hostName = hostName.replace(/%h/g, host).replace(/%%/g, "%");
  const user = first("user");
  if (user !== undefined) config.user = user;
  const port = number("port");
  if (port !== undefined) config.port = port;
  config.userKnownHostsFiles = values.get("userknownhostsfile") ?? [];
  const alias = first("hostkeyalias");
  if (alias !== undefined) config.hostKeyAlias = alias;
  const connectTimeout = number("connecttimeout");
  if (connectTimeout !== undefined) config.connectTimeout = connectTimeout;
  const serverAliveInterval = number("serveraliveinterval");
  if (serverAliveInterval !== undefined) config.serverAliveInterval = serverAliveInterval;
  return config;
}

/** A path of the configuration on the worker: `~` and the `%d %u %h %r %p %%` tokens expanded. */
export function expandPath(
  path: string,
  expansion: Expansion,
  tokens: { host: string; user: string; port: number },
): string {
  const withHome = path === "~" || path.startsWith("~/") ? expansion.home + path.slice(1) : path;
  return withHome.replace(/%([%dhupr])/g, (_, token: string) => {
    switch (token) {
      case "d":
        return expansion.home;
      case "u":
        return expansion.localUser;
      case "h":
        return tokens.host;
      case "r":
        return tokens.user;
      case "p":
        return String(tokens.port);
      default:
        return "%";
    }
  });
}

/** `known`: a line lists this key for the host; `changed`: lines list the host with other keys of that type. */
export type HostKeyStatus = "known" | "changed" | "unknown" | "revoked";

/** The key type written at the start of an SSH public key blob. */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return "";
  const length = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + length).toString("latin1");
}

/** How known_hosts writes a host: bare for port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function hostFieldMatches(field: string, name: string): boolean {
  if (field.startsWith("|1|")) {
    const [, , salt, hash] = field.split("|");
    if (!salt || !hash) return false;
    const digest = createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest("base64");
    return digest === hash;
  }
  return patternListMatches(field.split(","), name);
}

/** What known_hosts `text` says of the server key `blob` offered by `name` (see {@link knownHostsName}). */
export function checkKnownHost(text: string, name: string, blob: Buffer): HostKeyStatus {
  const key = blob.toString("base64");
  const type = keyTypeOf(blob);
  let status: HostKeyStatus = "unknown";
  for (const raw of text.split(/\r?\n/)) {
    const fields = raw.trim().split(/\s+/);
    if (!fields[0] || fields[0].startsWith("#")) continue;
    const marker = fields[0].startsWith("@") ? fields.shift() : undefined;
    const [hosts, lineType, lineKey] = fields;
    if (!hosts || !lineType || !lineKey || !hostFieldMatches(hosts, name)) continue;
    if (marker === "@revoked") {
      if (lineKey === key) return "revoked";
    } else if (marker === undefined) {
      if (lineKey === key) status = "known";
      else if (lineType === type && status === "unknown") status = "changed";
    }
  }
  return status;
}
