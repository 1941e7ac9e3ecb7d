/**
 * Loads the bundled plugins and the installed plugin versions into a registry, and keeps it in
 * step with the plugins folder while a server runs: a version installed or removed by another
 * process is picked up within a second (and on SIGHUP), without a restart.
 */
import { watch, type FSWatcher } from "node:fs";
import { mkdirSync } from "node:fs";
import { errorMessage } from "@saker/sdk";
import { importPlugin, readManifest } from "./manifest.ts";
import { listBundled } from "./bundled.ts";
import { listInstalled, type InstalledVersion } from "./pluginDir.ts";
import type { PluginRegistry } from "./registry.ts";
import { readDefaultVersions } from "./versions.ts";

export interface LoadReport {
  loaded: string[];
  removed: string[];
  failed: { plugin: string; error: string }[];
  /** The plugins' default versions (`defaults.json`) changed. */
  defaults?: boolean;
}

/** Where plugins come from: the plugins folder (installed versions) and the bundled plugins' folder. */
export interface PluginDirs {
  installed: string;
  bundled?: string | undefined;
}

/**
 * The versions to load: bundled ones first, then installed ones. An installed copy of a version
 * that is also bundled is the same `name@version`: the bundled one stands for both, and the
 * installed copy is used only when the bundled one cannot be loaded (e.g. not built).
 */
function candidates(dirs: PluginDirs): (InstalledVersion & { bundled: boolean })[] {
  return [
    ...listBundled(dirs.bundled).map((v) => ({ ...v, bundled: true })),
    ...listInstalled(dirs.installed).map((v) => ({ ...v, bundled: false })),
  ];
}

/** Registers every bundled or installed version not yet in the registry; forgets removed ones. */
export async function syncPlugins(
  registry: PluginRegistry,
  dirs: PluginDirs,
  loaded: Set<string>,
): Promise<LoadReport> {
  const report: LoadReport = { loaded: [], removed: [], failed: [] };
  const present = new Set<string>();
  const failed = new Map<string, string>();
  for (const candidate of candidates(dirs)) {
    const key = `${candidate.name}@${candidate.version}`;
    present.add(key);
    if (loaded.has(key)) continue;
    try {
      const manifest = readManifest(candidate.packageDir);
      const definition = await importPlugin(manifest);
      const ref = {
        name: candidate.name,
        version: candidate.version,
        core: false,
        dir: candidate.dir,
        entry: manifest.entry,
        ...(candidate.bundled ? { bundled: true } : {}),
      };
      registry.addPlugin(ref, definition, manifest.isolated);
      loaded.add(key);
      report.loaded.push(key);
    } catch (error) {
      if (!failed.has(key)) failed.set(key, errorMessage(error));
    }
  }
  for (const [key, error] of failed) if (!loaded.has(key)) report.failed.push({ plugin: key, error });
  for (const key of [...loaded]) {
    if (present.has(key)) continue;
    const at = key.lastIndexOf("@");
    registry.removePlugin(key.slice(0, at), key.slice(at + 1));
    loaded.delete(key);
    report.removed.push(key);
  }
  if (registry.setPluginDefaults(readDefaultVersions(dirs.installed))) report.defaults = true;
  return report;
}

/** Watches the plugins folder; calls `onChange` with each sync's report. Returns a stop function. */
export function watchPlugins(
  registry: PluginRegistry,
  dirs: PluginDirs,
  loaded: Set<string>,
  onChange: (report: LoadReport) => void,
): () => void {
  const pluginsDir = dirs.installed;
  mkdirSync(pluginsDir, { recursive: true });
  let timer: NodeJS.Timeout | undefined;
  let running = Promise.resolve();
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      running = running.then(async () => {
        const report = await syncPlugins(registry, dirs, loaded);
        if (report.loaded.length || report.removed.length || report.failed.length || report.defaults) onChange(report);
      });
    }, 300);
  };
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(pluginsDir, { recursive: true }, schedule);
  } catch {
    watcher = watch(pluginsDir, schedule);
  }
  const poll = setInterval(schedule, 5000);
  process.on("SIGHUP", schedule);
  return () => {
    clearTimeout(timer);
    clearInterval(poll);
    watcher?.close();
    process.off("SIGHUP", schedule);
  };
}
