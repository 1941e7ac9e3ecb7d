/**
 * The plugins folder: `<dir>/<name>/<version>/` per installed version, each an npm prefix with
 * its own `node_modules` (so two versions with conflicting dependencies both load). Scoped
 * names keep their folder: `<dir>/@scope/name/<version>/`.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import semver from "semver";

export interface InstalledVersion {
  name: string;
  version: string;
  /** The npm prefix folder of this version. */
  dir: string;
  /** Where the package itself is. */
  packageDir: string;
}

export function versionDir(pluginsDir: string, name: string, version: string): string {
  return join(pluginsDir, name, version);
}

export function packageDirOf(versionFolder: string, name: string): string {
  return join(versionFolder, "node_modules", name);
}

function subdirs(dir: string): string[] {
  try {
    return readdirSync(dir).filter((d) => !d.startsWith(".") && statSync(join(dir, d)).isDirectory());
  } catch {
    return [];
  }
}

/** Every installed version, oldest first per name. Staging and trash folders are skipped. */
export function listInstalled(pluginsDir: string): InstalledVersion[] {
  const found: InstalledVersion[] = [];
  const names: string[] = [];
  for (const entry of subdirs(pluginsDir)) {
    if (entry.startsWith("@")) for (const scoped of subdirs(join(pluginsDir, entry))) names.push(`${entry}/${scoped}`);
    else names.push(entry);
  }
  for (const name of names) {
    const versions = subdirs(join(pluginsDir, name))
      .filter((v) => semver.valid(v))
      .sort(semver.compare);
    for (const version of versions) {
      const dir = versionDir(pluginsDir, name, version);
      const packageDir = packageDirOf(dir, name);
      if (existsSync(join(packageDir, "package.json"))) found.push({ name, version, dir, packageDir });
    }
  }
  return found;
}
