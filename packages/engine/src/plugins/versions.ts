/**
 * Managing the installed versions of a plugin: the instance default version of each plugin (the
 * one a task without `version:` gets), kept in `<plugins folder>/defaults.json` so that every
 * process of the instance (server, CLI) reads the same, and which flows pin a version (so that
 * removing it would break them).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import semver from "semver";
import { parse } from "yaml";
import { SakerError } from "@saker/sdk";
import type { PluginRegistry } from "./registry.ts";

/** The file of the plugins folder that holds each plugin's default version (`{ "name": "1.2.0" }`). */
export const DEFAULT_VERSIONS_FILE = "defaults.json";

/** Each plugin's default version, by package name; empty when none was set (or the file is unreadable). */
export function readDefaultVersions(pluginsDir: string): Record<string, string> {
  const file = join(pluginsDir, DEFAULT_VERSIONS_FILE);
  if (!existsSync(file)) return {};
  try {
    const value = JSON.parse(readFileSync(file, "utf8")) as unknown;
    if (!value || typeof value !== "object" || Array.isArray(value)) return {};
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === "string"),
    );
  } catch {
    return {};
  }
}

/**
 * Sets (or, with `version` undefined, clears) the default version of plugin `name`, written
 * atomically (a temporary file renamed over the old one). Returns every default after the change.
 */
export function writeDefaultVersion(
  pluginsDir: string,
  name: string,
  version: string | undefined,
): Record<string, string> {
  const defaults = readDefaultVersions(pluginsDir);
  if (version === undefined) delete defaults[name];
  else defaults[name] = version;
  mkdirSync(pluginsDir, { recursive: true });
  const file = join(pluginsDir, DEFAULT_VERSIONS_FILE);
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(defaults, null, 2)}\n`);
  renameSync(temporary, file);
  return defaults;
}

/**
 * Checks that `version` of plugin `name` is registered, for setting it as the default; throws
 * PLUGIN_NOT_FOUND or PLUGIN_VERSION_NOT_FOUND naming what is installed.
 */
export function checkPluginVersion(registry: PluginRegistry, name: string, version: string): void {
  const versions = registry.pluginVersions(name);
  if (versions.length === 0) throw new SakerError("PLUGIN_NOT_FOUND", `No plugin named '${name}' is installed`);
  if (!versions.includes(version))
    throw new SakerError(
      "PLUGIN_VERSION_NOT_FOUND",
      `${name}@${version} is not installed; installed: ${versions.join(", ")}`,
    );
}

/** A flow node that names a version of a plugin's type. */
export interface VersionPin {
  namespace: string;
  flowId: string;
  /** Where in the flow: `tasks[0]`, `pluginDefaults[1].values`… */
  path: string;
  type: string;
  /** The `version:` as written. */
  spec: string;
}

function pinsOf(node: unknown, path: string, found: { path: string; type: string; spec: string }[]): void {
  if (Array.isArray(node)) {
    node.forEach((item, i) => pinsOf(item, `${path}[${i}]`, found));
    return;
  }
  if (!node || typeof node !== "object") return;
  const record = node as Record<string, unknown>;
  const type = record.type;
  if (typeof type === "string") {
    const version = record.version ?? (record.values as Record<string, unknown> | undefined)?.version;
    if (typeof version === "string" || typeof version === "number")
      found.push({ path: path || "(root)", type, spec: String(version) });
  }
  for (const [key, value] of Object.entries(record)) {
    if (value && typeof value === "object") pinsOf(value, path ? `${path}.${key}` : key, found);
  }
}

/**
 * Whether a `version:` spec can only be met by `version` among `installed`: an exact match, or a
 * semver range that no other installed version satisfies. `LATEST`/`OLDEST` never pin.
 */
export function specPins(spec: string, version: string, installed: readonly string[]): boolean {
  const wanted = spec.trim();
  if (wanted === version) return true;
  if (["LATEST", "OLDEST"].includes(wanted.toUpperCase())) return false;
  if (!semver.validRange(wanted) || !semver.valid(version)) return false;
  if (!semver.satisfies(version, wanted)) return false;
  const others = installed.filter((v) => v !== version && semver.valid(v));
  return !others.some((v) => semver.satisfies(v, wanted));
}

/** Every node of `flows` (latest revisions, as YAML sources) that names a `version:`; unreadable flows are skipped. */
export function collectVersionSpecs(flows: readonly { namespace: string; id: string; source: string }[]): VersionPin[] {
  const all: VersionPin[] = [];
  for (const flow of flows) {
    let document: unknown;
    try {
      document = parse(flow.source);
    } catch {
      continue;
    }
    const found: { path: string; type: string; spec: string }[] = [];
    pinsOf(document, "", found);
    for (const pin of found) all.push({ namespace: flow.namespace, flowId: flow.id, ...pin });
  }
  return all;
}

/**
 * The places among `specs` (from {@link collectVersionSpecs}) whose `version:` only
 * `name@version` can meet: removing that version would make them fail.
 */
export function versionPins(
  specs: readonly VersionPin[],
  registry: PluginRegistry,
  name: string,
  version: string,
): VersionPin[] {
  const installed = registry.pluginVersions(name);
  const types = new Set(registry.pluginTypes(name, version));
  return specs.filter((pin) => types.has(registry.canonical(pin.type)) && specPins(pin.spec, version, installed));
}

/** {@link versionPins} over flows' sources. */
export function findVersionPins(
  flows: readonly { namespace: string; id: string; source: string }[],
  registry: PluginRegistry,
  name: string,
  version: string,
): VersionPin[] {
  return versionPins(collectVersionSpecs(flows), registry, name, version);
}
