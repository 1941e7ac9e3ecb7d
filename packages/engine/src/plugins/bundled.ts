/**
 * First-party plugins bundled with Saker: every package folder of the monorepo's `plugins/`
 * (an npm workspace, so `npm ci` installs its dependencies and builds it once) is loaded from
 * where it is, with its workspace version, without `saker plugins install`. The folder is found
 * relative to this engine package, never imported statically: a new folder with a `saker.entry`
 * in its package.json is picked up with no code change. `plugins.bundledPath` points elsewhere;
 * an empty value turns bundled plugins off.
 */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { InstalledVersion } from "./pluginDir.ts";

/**
 * `<repository>/plugins` when this engine runs from the Saker repository (`packages/engine`) and
 * the repository's package.json declares `plugins/*` as workspaces; otherwise none.
 */
export function defaultBundledDir(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json")) && dirname(dir) !== dir) dir = dirname(dir);
  const root = join(dir, "..", "..");
  try {
    const { workspaces } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { workspaces?: unknown };
    const declared =
      Array.isArray(workspaces) &&
      workspaces.some((w) => typeof w === "string" && w.replace(/^\.\//, "").startsWith("plugins/"));
    return declared && statSync(join(root, "plugins"), { throwIfNoEntry: false })?.isDirectory()
      ? join(root, "plugins")
      : undefined;
  } catch {
    return undefined;
  }
}

function pluginPackage(folder: string): { name: string; version: string } | undefined {
  try {
    const pkg = JSON.parse(readFileSync(join(folder, "package.json"), "utf8")) as {
      name?: unknown;
      version?: unknown;
      saker?: { entry?: unknown };
    };
    if (typeof pkg.name !== "string" || typeof pkg.version !== "string" || typeof pkg.saker?.entry !== "string")
      return undefined;
    return { name: pkg.name, version: pkg.version };
  } catch {
    return undefined;
  }
}

/** The plugin packages directly under `dir` (folders whose package.json has a `saker.entry`), by name. */
export function listBundled(dir: string | undefined): InstalledVersion[] {
  if (!dir) return [];
  let entries: string[];
  try {
    entries = readdirSync(dir)
      .filter((d) => !d.startsWith("."))
      .sort();
  } catch {
    return [];
  }
  const found: InstalledVersion[] = [];
  for (const entry of entries) {
    const folder = join(dir, entry);
    const pkg = statSync(folder, { throwIfNoEntry: false })?.isDirectory() ? pluginPackage(folder) : undefined;
    if (pkg) found.push({ ...pkg, dir: folder, packageDir: folder });
  }
  return found;
}

/** Whether `name@version` is one of the bundled plugins under `dir`. */
export function isBundled(dir: string | undefined, name: string, version: string): boolean {
  return listBundled(dir).some((v) => v.name === name && v.version === version);
}
