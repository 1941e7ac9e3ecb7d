/**
 * The installed plugins as Kestra's API lists them (its `Plugin` summary, per version and per
 * subgroup) and their icons. A plugin's group is what `definePlugin` says, else the common prefix
 * of its types; its subgroups are the packages of its types below the group (`…core.flow`,
 * `…core.log`). Internal types (with a `$`, such as ForEachItem's parts) are not listed.
 */
import { defaultIcon, iconBase64 } from "./icons.ts";
import type { PluginRegistry, RegisteredType } from "./registry.ts";

export interface PluginElement {
  cls: string;
  deprecated?: true;
  title?: string;
  description?: string;
}

export interface PluginSummary {
  name: string;
  title: string;
  description?: string;
  group: string;
  version: string;
  manifest: Record<string, string>;
  tasks: PluginElement[];
  triggers: PluginElement[];
  conditions: PluginElement[];
  controllers: PluginElement[];
  storages: PluginElement[];
  secrets: PluginElement[];
  taskRunners: PluginElement[];
  apps: PluginElement[];
  appBlocks: PluginElement[];
  charts: PluginElement[];
  dataFilters: PluginElement[];
  guides: string[];
  aliases: string[];
  categories: string[];
  subGroup?: string;
  /** Saker: the core types, not a package. */
  core: boolean;
  /** Saker: shipped with Saker (the repository's plugins/), not installed in the plugins folder. */
  bundled: boolean;
}

export interface PluginIcon {
  name: string;
  icon: string;
  flowable: boolean;
}

const CORE_GROUP = "io.kestra.plugin.core";

/** Kestra's plugin categories, guessed from the group's words. */
const CATEGORIES: ReadonlyArray<readonly [RegExp, string]> = [
  [/\.core$/, "CORE"],
  [/\.(jdbc|sql|db|mongodb|redis|cassandra|elasticsearch)\b/, "DATABASE"],
  [/\.(scripts?|shell|python|node)\b/, "SCRIPT"],
  [/\.(kafka|amqp|mqtt|nats|pulsar|jms)\b/, "MESSAGING"],
  [/\.(notifications?|slack|email)\b/, "ALERTING"],
];

interface PluginVersion {
  name: string;
  version: string;
  core: boolean;
  bundled: boolean;
  types: RegisteredType[];
}

const isInternal = (type: string) => type.includes("$");
const packageOf = (type: string) => type.slice(0, Math.max(0, type.lastIndexOf(".")));

function versionsOf(registry: PluginRegistry): PluginVersion[] {
  const byKey = new Map<string, PluginVersion>();
  for (const [, versions] of registry.entries()) {
    for (const entry of versions) {
      const key = `${entry.plugin.name}@${entry.plugin.version}`;
      let found = byKey.get(key);
      if (!found) {
        found = {
          name: entry.plugin.name,
          version: entry.plugin.version,
          core: entry.plugin.core,
          bundled: entry.plugin.bundled === true,
          types: [],
        };
        byKey.set(key, found);
      }
      found.types.push(entry);
    }
  }
  return [...byKey.values()].sort(
    (a, b) => Number(b.core) - Number(a.core) || a.name.localeCompare(b.name) || a.version.localeCompare(b.version),
  );
}

function commonPrefix(types: readonly string[]): string {
  const parts = types.map((t) => packageOf(t).split("."));
  if (parts.length === 0) return "";
  const first = parts[0]!;
  let n = first.length;
  for (const p of parts) {
    let i = 0;
    while (i < n && p[i] === first[i]) i++;
    n = i;
  }
  return first.slice(0, n).join(".");
}

function groupOf(registry: PluginRegistry, plugin: PluginVersion): string {
  if (plugin.core) return CORE_GROUP;
  return (
    registry.pluginInfo(plugin.name, plugin.version).group ??
    commonPrefix(plugin.types.map((t) => t.type).filter((t) => !isInternal(t)))
  );
}

function subgroupsOf(plugin: PluginVersion, group: string): string[] {
  return [
    ...new Set(
      plugin.types
        .map((t) => t.type)
        .filter((t) => !isInternal(t))
        .map(packageOf),
    ),
  ]
    .filter((p) => p !== group && p.startsWith(`${group}.`))
    .sort();
}

function element(entry: RegisteredType): PluginElement {
  const d = entry.definition;
  return {
    cls: entry.type,
    ...(d.deprecated ? { deprecated: true as const } : {}),
    title: d.title,
    ...(d.description ? { description: d.description } : {}),
  };
}

function summary(registry: PluginRegistry, plugin: PluginVersion, subGroup?: string): PluginSummary {
  const info = registry.pluginInfo(plugin.name, plugin.version);
  const group = groupOf(registry, plugin);
  const listed = plugin.types
    .filter((t) => !isInternal(t.type) && (!subGroup || packageOf(t.type) === subGroup))
    .sort((a, b) => a.type.localeCompare(b.type));
  const of = (kind: RegisteredType["nodeKind"]) => listed.filter((t) => t.nodeKind === kind).map(element);
  const title = subGroup
    ? subGroup.slice(subGroup.lastIndexOf(".") + 1)
    : (info.title ?? (plugin.core ? "Core" : plugin.name));
  const category = CATEGORIES.find(([words]) => words.test(group))?.[1];
  return {
    name: plugin.name,
    title,
    ...(info.description ? { description: info.description } : {}),
    group,
    version: plugin.version,
    manifest: {
      "X-Kestra-Name": plugin.name,
      "X-Kestra-Title": info.title ?? plugin.name,
      "X-Kestra-Group": group,
      "X-Kestra-Version": plugin.version,
      ...(info.description ? { "X-Kestra-Description": info.description } : {}),
    },
    tasks: of("task"),
    triggers: of("trigger"),
    conditions: of("condition"),
    controllers: [],
    storages: [],
    secrets: [],
    taskRunners: [],
    apps: [],
    appBlocks: [],
    charts: [],
    dataFilters: [],
    guides: [],
    aliases: listed.flatMap((t) => [...(t.definition.aliases ?? [])]).sort(),
    categories: category ? [category] : [],
    ...(subGroup ? { subGroup } : {}),
    core: plugin.core,
    bundled: plugin.bundled,
  };
}

/** Every plugin version (`GET /plugins`). */
export function pluginSummaries(registry: PluginRegistry): PluginSummary[] {
  return versionsOf(registry).map((p) => summary(registry, p));
}

/** Every plugin version, then one entry per subgroup of each (`GET /plugins/groups/subgroups`). */
export function subgroupSummaries(registry: PluginRegistry): PluginSummary[] {
  const plugins = versionsOf(registry);
  return [
    ...plugins.map((p) => summary(registry, p)),
    ...plugins.flatMap((p) => subgroupsOf(p, groupOf(registry, p)).map((sub) => summary(registry, p, sub))),
  ];
}

/** Icons by type id and alias (`GET /plugins/icons`), from the version used by default. */
export function typeIcons(registry: PluginRegistry): Record<string, PluginIcon> {
  const icons: Record<string, PluginIcon> = {};
  for (const [type, versions] of registry.entries()) {
    const entry = versions[versions.length - 1]!;
    const info = registry.pluginInfo(entry.plugin.name, entry.plugin.version);
    // The type's own icon, else its plugin's, else the default of its group.
    const own = entry.definition.icon ?? info.icon;
    const icon = own ? iconBase64(own) : defaultIcon(type);
    const flowable = entry.definition.kind === "flowable";
    for (const id of [type, ...(entry.definition.aliases ?? [])])
      icons[id] ??= { name: id.slice(id.lastIndexOf(".") + 1), icon, flowable };
  }
  return icons;
}

/** Icons by group and subgroup (`GET /plugins/icons/groups`). */
export function groupIcons(registry: PluginRegistry): Record<string, PluginIcon> {
  const icons: Record<string, PluginIcon> = {};
  for (const plugin of versionsOf(registry)) {
    const group = groupOf(registry, plugin);
    const own = registry.pluginInfo(plugin.name, plugin.version).icon;
    if (group)
      icons[group] = { name: "plugin-icon", icon: own ? iconBase64(own) : defaultIcon(group), flowable: false };
    for (const sub of subgroupsOf(plugin, group))
      icons[sub] = { name: "plugin-icon", icon: own ? iconBase64(own) : defaultIcon(sub), flowable: false };
  }
  return icons;
}
