/**
 * Every plugin type the instance knows, by type id and version. Several versions of one plugin
 * may be registered side by side; `resolve` picks one for a `version:` spec.
 */
import {
  SakerError,
  type AnyConditionDefinition,
  type AnyTaskDefinition,
  type AnyTriggerDefinition,
  type PluginDefinition,
} from "@saker/sdk";
import semver from "semver";
import { canonicalAlias } from "../model/aliases.ts";
import type { EnginePluginDefinition, ExecutorTaskDefinition, FlowableDefinition } from "./engineTypes.ts";

export type AnyTypeDefinition =
  AnyTaskDefinition | FlowableDefinition | ExecutorTaskDefinition | AnyTriggerDefinition | AnyConditionDefinition;

/** What a flow node's `type` names: a task (of any kind), a trigger or a condition. */
export type NodeKind = "task" | "trigger" | "condition";

export interface PluginRef {
  /** The npm package name, or `core`. */
  name: string;
  version: string;
  core: boolean;
  /** Where an installed (or bundled) version lives. */
  dir?: string;
  /** Shipped with Saker (a package of the repository's `plugins/`), not installed in the plugins folder. */
  bundled?: boolean;
  /** The entry module (for isolated runs, which import it in a thread). */
  entry?: string;
}

export interface RegisteredType {
  type: string;
  nodeKind: NodeKind;
  definition: AnyTypeDefinition;
  plugin: PluginRef;
  /** Runs in a worker thread (the definition's `isolated`, or the package's `saker.isolated`). */
  isolated: boolean;
}

/** `LATEST` (default), `OLDEST`, an exact version, or `NONE` (a version is required). */
export type DefaultVersionPolicy = "LATEST" | "OLDEST" | "NONE" | (string & {});

export function nodeKindOf(definition: AnyTypeDefinition): NodeKind {
  return definition.kind === "trigger" ? "trigger" : definition.kind === "condition" ? "condition" : "task";
}

export class PluginRegistry {
  private readonly byType = new Map<string, RegisteredType[]>();
  private readonly aliases = new Map<string, string>();
  private readonly withExpressions = new Map<string, PluginDefinition | EnginePluginDefinition>();
  private readonly infos = new Map<string, Pick<PluginDefinition, "group" | "title" | "description" | "icon">>();
  defaultVersion: DefaultVersionPolicy = "LATEST";
  /** Each plugin's own default version (by package name), before the instance policy. */
  private pluginDefaults: ReadonlyMap<string, string> = new Map();
  /** Bumped on every change, so that caches built from the registry know when to rebuild. */
  version = 0;

  /** Plugins that add expression filters or functions. */
  expressionPlugins(): (PluginDefinition | EnginePluginDefinition)[] {
    return [...this.withExpressions.values()];
  }

  /**
   * Registers every type of a plugin version (a third-party plugin, or the core plugin with its
   * engine-only kinds); `isolated` lists types (or prefixes) to run in threads.
   */
  addPlugin(
    plugin: PluginRef,
    definition: PluginDefinition | EnginePluginDefinition,
    isolated: readonly string[] = [],
  ): void {
    const all: AnyTypeDefinition[] = [
      ...(definition.tasks ?? []),
      ...(definition.triggers ?? []),
      ...(definition.conditions ?? []),
    ];
    for (const d of all)
      this.addType(
        plugin,
        d,
        isolated.some((prefix) => d.type.startsWith(prefix)),
      );
    if (definition.filters || definition.functions)
      this.withExpressions.set(`${plugin.name}@${plugin.version}`, definition);
    const { group, title, description, icon } = definition;
    this.infos.set(`${plugin.name}@${plugin.version}`, {
      ...(group ? { group } : {}),
      ...(title ? { title } : {}),
      ...(description ? { description } : {}),
      ...(icon ? { icon } : {}),
    });
    this.version++;
  }

  /** What a plugin version says of itself in `definePlugin` (group, title, description, icon). */
  pluginInfo(name: string, version: string): Pick<PluginDefinition, "group" | "title" | "description" | "icon"> {
    return this.infos.get(`${name}@${version}`) ?? {};
  }

  addType(plugin: PluginRef, definition: AnyTypeDefinition, isolated = false): void {
    const markedIsolated = definition.kind === "task" && definition.isolated === true;
    const entry: RegisteredType = {
      type: definition.type,
      nodeKind: nodeKindOf(definition),
      definition,
      plugin,
      isolated: isolated || markedIsolated,
    };
    const versions = (this.byType.get(definition.type) ?? []).filter(
      (e) => e.plugin.version !== plugin.version || e.plugin.name !== plugin.name,
    );
    versions.push(entry);
    versions.sort((a, b) =>
      semver.valid(a.plugin.version) && semver.valid(b.plugin.version)
        ? semver.compare(a.plugin.version, b.plugin.version)
        : 0,
    );
    this.byType.set(definition.type, versions);
    for (const alias of definition.aliases ?? []) this.aliases.set(alias, definition.type);
    this.version++;
  }

  /** Removes one version of a plugin (every type it provided). */
  removePlugin(name: string, version: string): void {
    for (const [type, versions] of this.byType) {
      const kept = versions.filter((e) => !(e.plugin.name === name && e.plugin.version === version));
      if (kept.length) this.byType.set(type, kept);
      else this.byType.delete(type);
    }
    this.withExpressions.delete(`${name}@${version}`);
    this.infos.delete(`${name}@${version}`);
    this.version++;
  }

  /**
   * Sets each plugin's default version (the plugins folder's `defaults.json`); a version not
   * installed is ignored when resolving. Returns whether anything changed.
   */
  setPluginDefaults(defaults: Record<string, string>): boolean {
    const next = new Map(Object.entries(defaults));
    const same =
      next.size === this.pluginDefaults.size && [...next].every(([name, v]) => this.pluginDefaults.get(name) === v);
    if (same) return false;
    this.pluginDefaults = next;
    this.version++;
    return true;
  }

  /** The default version set for plugin `name`, if any. */
  pluginDefault(name: string): string | undefined {
    return this.pluginDefaults.get(name);
  }

  /** The registered versions of plugin `name` (a package name, or `core`), oldest first. */
  pluginVersions(name: string): string[] {
    const versions = new Set<string>();
    for (const entries of this.byType.values())
      for (const e of entries) if (e.plugin.name === name) versions.add(e.plugin.version);
    return [...versions].sort((a, b) =>
      semver.valid(a) && semver.valid(b) ? semver.compare(a, b) : a.localeCompare(b),
    );
  }

  /** The types `name@version` provides. */
  pluginTypes(name: string, version: string): string[] {
    const types: string[] = [];
    for (const [type, entries] of this.byType)
      if (entries.some((e) => e.plugin.name === name && e.plugin.version === version)) types.push(type);
    return types.sort();
  }

  /** The canonical type id for `type`, following explicit and Kestra's generic aliases. */
  canonical(type: string): string {
    if (this.byType.has(type)) return type;
    const explicit = this.aliases.get(type);
    if (explicit) return explicit;
    const generic = canonicalAlias(type);
    return this.byType.has(generic) ? generic : type;
  }

  has(type: string): boolean {
    return this.byType.has(this.canonical(type));
  }

  /** Every registered version of `type`, oldest first. */
  versionsOf(type: string): readonly RegisteredType[] {
    return this.byType.get(this.canonical(type)) ?? [];
  }

  /** Every type, each with its versions. */
  entries(): IterableIterator<[string, RegisteredType[]]> {
    return this.byType.entries();
  }

  /**
   * Picks the version of `type` that `spec` names: an exact version, a semver range, `LATEST` or
   * `OLDEST`; without a spec, the instance's default policy. Core types have one version and
   * ignore the default policy.
   */
  resolve(type: string, spec?: string): RegisteredType {
    const canonical = this.canonical(type);
    const versions = this.byType.get(canonical);
    if (!versions || versions.length === 0) {
      throw new SakerError("PLUGIN_NOT_FOUND", `unknown type '${type}'${this.suggest(type)}`);
    }
    const wanted = spec?.trim();
    if (!wanted) return this.pickDefault(canonical, versions);
    const upper = wanted.toUpperCase();
    if (upper === "LATEST") return versions[versions.length - 1]!;
    if (upper === "OLDEST") return versions[0]!;
    const exact = versions.find((v) => v.plugin.version === wanted);
    if (exact) return exact;
    if (semver.validRange(wanted)) {
      const best = semver.maxSatisfying(
        versions.map((v) => v.plugin.version),
        wanted,
      );
      const found = versions.find((v) => v.plugin.version === best);
      if (found) return found;
    }
    throw new SakerError(
      "PLUGIN_VERSION_NOT_FOUND",
      `version '${wanted}' of '${canonical}' is not installed; installed: ${versions.map((v) => v.plugin.version).join(", ")}`,
    );
  }

  private pickDefault(type: string, versions: RegisteredType[]): RegisteredType {
    if (versions.length === 1 && versions[0]!.plugin.core) return versions[0]!;
    const own = this.pluginDefaults.get(versions[versions.length - 1]!.plugin.name);
    const pinned = own === undefined ? undefined : versions.find((v) => v.plugin.version === own);
    if (pinned) return pinned;
    const policy = this.defaultVersion;
    if (policy === "OLDEST") return versions[0]!;
    if (policy === "NONE") {
      throw new SakerError(
        "PLUGIN_VERSION_REQUIRED",
        `'${type}' needs a 'version:' (plugins.defaultVersion is NONE); installed: ${versions.map((v) => v.plugin.version).join(", ")}`,
      );
    }
    if (policy === "LATEST" || !policy) return versions[versions.length - 1]!;
    return this.resolve(type, policy);
  }

  private suggest(type: string): string {
    const last = type.split(".").pop()?.toLowerCase();
    const close = [...this.byType.keys()].filter((t) => t.split(".").pop()?.toLowerCase() === last).slice(0, 3);
    return close.length ? `; did you mean ${close.map((c) => `'${c}'`).join(" or ")}?` : "";
  }
}
