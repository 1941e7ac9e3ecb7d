/**
 * A plugin package: an npm package whose `package.json` has a `saker` field naming its entry
 * module, which default-exports `definePlugin({...})`.
 *
 * ```json
 * { "name": "saker-plugin-hello", "version": "1.0.0", "type": "module",
 *   "saker": { "entry": "./dist/index.js" }, "peerDependencies": { "@saker/sdk": "*" } }
 * ```
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { SakerError, type PluginDefinition } from "@saker/sdk";

export interface PluginManifest {
  name: string;
  version: string;
  /** Absolute path of the entry module. */
  entry: string;
  /** Types run in an isolated worker thread, by exact type or prefix (from `saker.isolated`). */
  isolated: string[];
  description?: string;
}

export function readManifest(packageDir: string): PluginManifest {
  let pkg: Record<string, unknown>;
  try {
    pkg = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")) as Record<string, unknown>;
  } catch (error) {
    throw new SakerError("PLUGIN_INVALID", `No readable package.json in '${packageDir}': ${(error as Error).message}`);
  }
  const saker = pkg.saker as { entry?: unknown; isolated?: unknown } | undefined;
  if (typeof pkg.name !== "string" || typeof pkg.version !== "string")
    throw new SakerError("PLUGIN_INVALID", `'${packageDir}/package.json' needs a name and a version`);
  if (!saker || typeof saker.entry !== "string") {
    throw new SakerError(
      "PLUGIN_INVALID",
      `'${pkg.name}' is not a Saker plugin: its package.json has no "saker": { "entry": "…" } field`,
    );
  }
  return {
    name: pkg.name,
    version: pkg.version,
    entry: resolve(packageDir, saker.entry),
    isolated: Array.isArray(saker.isolated) ? saker.isolated.map(String) : [],
    ...(typeof pkg.description === "string" ? { description: pkg.description } : {}),
  };
}

/** Imports a plugin's entry and checks it default-exports `definePlugin(...)`. */
export async function importPlugin(manifest: PluginManifest): Promise<PluginDefinition> {
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(manifest.entry).href)) as Record<string, unknown>;
  } catch (error) {
    throw new SakerError(
      "PLUGIN_INVALID",
      `Unable to load ${manifest.name}@${manifest.version} from '${manifest.entry}': ${(error as Error).message}`,
    );
  }
  const definition = (module.default ?? module.plugin) as PluginDefinition | undefined;
  if (!definition || definition.kind !== "plugin") {
    throw new SakerError(
      "PLUGIN_INVALID",
      `${manifest.name}@${manifest.version} must default-export definePlugin({...}) from '${manifest.entry}'`,
    );
  }
  return definition;
}
