/**
 * The plugin registry of an instance: the core plugin, then every installed plugin version.
 */
import { CORE_TYPES } from "../core/index.ts";
import { PluginRegistry } from "../plugins/registry.ts";
import type { CompiledConfig } from "./config.ts";

export const CORE_PLUGIN = { name: "core", version: "0.1.0", core: true } as const;

export function coreRegistry(): PluginRegistry {
  const registry = new PluginRegistry();
  for (const type of CORE_TYPES) registry.addType(CORE_PLUGIN, type);
  return registry;
}

export async function loadRegistry(config: CompiledConfig): Promise<PluginRegistry> {
  const registry = coreRegistry();
  registry.defaultVersion = config.plugins.defaultVersion;
  return registry;
}
