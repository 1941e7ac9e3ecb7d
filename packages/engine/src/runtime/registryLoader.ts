/**
 * The plugin registry of an instance: the core plugin, the bundled plugins, then every installed
 * plugin version.
 */
import { corePlugin } from "../core/index.ts";
import { PluginRegistry } from "../plugins/registry.ts";
import type { CompiledConfig } from "./config.ts";
import { syncPlugins, type PluginDirs } from "../plugins/loader.ts";

export const CORE_PLUGIN = { name: "core", version: "0.1.0", core: true } as const;

export function coreRegistry(): PluginRegistry {
  const registry = new PluginRegistry();
  registry.addPlugin(CORE_PLUGIN, corePlugin);
  return registry;
}

/** Where the instance's plugins come from. */
export function pluginDirs(config: Pick<CompiledConfig, "pluginsPath" | "bundledPluginsPath">): PluginDirs {
  return { installed: config.pluginsPath, bundled: config.bundledPluginsPath };
}

/** The core plugin, the bundled plugins and every installed version; `loaded` records what was registered (for later syncs). */
export async function loadRegistry(config: CompiledConfig, loaded: Set<string> = new Set()): Promise<PluginRegistry> {
  const registry = coreRegistry();
  registry.defaultVersion = config.plugins.defaultVersion;
  const report = await syncPlugins(registry, pluginDirs(config), loaded);
  for (const failure of report.failed)
    process.stderr.write(`warning: plugin ${failure.plugin} not loaded: ${failure.error}\n`);
  return registry;
}
