/**
 * Installing and removing plugin versions with npm itself (`npm install --prefix`), never a
 * home-made downloader. A version is installed into a staging folder, checked, then renamed into
 * place: a half-installed version is never visible to a running instance.
 */
import { spawn } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { SakerError } from "@saker/sdk";
import { isBundled } from "./bundled.ts";
import { importPlugin, readManifest, type PluginManifest } from "./manifest.ts";
import { listInstalled, packageDirOf, versionDir, type InstalledVersion } from "./pluginDir.ts";

export interface InstallOptions {
  pluginsDir: string;
  /** Replace an installed version with the same number. */
  force?: boolean;
  /** Receives npm's output lines (progress). */
  onOutput?: (line: string) => void;
  /** Working directory used to resolve relative folder and tarball specs. */
  cwd?: string;
}

/** The folder of the `@saker/sdk` this engine runs with; plugins link to it. */
export function sdkDir(): string {
  const entry = createRequire(import.meta.url).resolve("@saker/sdk");
  let dir = dirname(entry);
  while (!existsSync(join(dir, "package.json"))) dir = dirname(dir);
  return dir;
}

function runNpm(args: string[], cwd: string, onOutput?: (line: string) => void): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(process.platform === "win32" ? "npm.cmd" : "npm", args, {
      cwd,
      env: { ...process.env, npm_config_loglevel: "warn" },
    });
    let output = "";
    const collect = (chunk: Buffer) => {
      const text = chunk.toString();
      output += text;
      for (const line of text.split("\n")) if (line.trim() && onOutput) onOutput(line);
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    child.on("error", (error) => fail(new SakerError("PLUGIN_INSTALL_FAILED", `Unable to run npm: ${error.message}`)));
    child.on("close", (code) => {
      if (code === 0) done();
      else {
        const reason =
          output
            .split("\n")
            .filter((l) => /npm (error|ERR!)/.test(l))
            .slice(0, 6)
            .join("\n") || output.slice(-600);
        fail(new SakerError("PLUGIN_INSTALL_FAILED", `npm install failed:\n${reason}`));
      }
    });
  });
}

/** A folder or tarball spec becomes an absolute path; anything else goes to the npm registry. */
function npmSpec(spec: string, cwd: string): string {
  const local = resolve(cwd, spec);
  if (
    (spec.startsWith(".") || spec.startsWith("/") || spec.endsWith(".tgz") || spec.endsWith(".tar.gz")) &&
    existsSync(local)
  )
    return local;
  if (existsSync(local) && statSync(local).isDirectory() && existsSync(join(local, "package.json"))) return local;
  return spec;
}

function linkSdk(prefix: string): void {
  const target = join(prefix, "node_modules", "@saker", "sdk");
  rmSync(target, { recursive: true, force: true });
  mkdirSync(dirname(target), { recursive: true });
  symlinkSync(sdkDir(), target, "dir");
}

/** Installs one plugin version; returns where it landed. */
export async function installPlugin(
  spec: string,
  options: InstallOptions,
): Promise<InstalledVersion & { manifest: PluginManifest; types: string[] }> {
  mkdirSync(options.pluginsDir, { recursive: true });
  const staging = mkdtempSync(join(options.pluginsDir, ".staging-"));
  try {
    writeFileSync(join(staging, "package.json"), JSON.stringify({ name: "saker-plugin-version", private: true }));
    await runNpm(
      [
        "install",
        "--prefix",
        staging,
        "--no-audit",
        "--no-fund",
        "--legacy-peer-deps",
        "--omit=dev",
        "--install-links",
        "--ignore-scripts=false",
        npmSpec(spec, options.cwd ?? process.cwd()),
      ],
      staging,
      options.onOutput,
    );
    const dependencies = Object.keys(
      (JSON.parse(readFileSync(join(staging, "package.json"), "utf8")) as { dependencies?: Record<string, string> })
        .dependencies ?? {},
    );
    if (dependencies.length !== 1)
      throw new SakerError(
        "PLUGIN_INSTALL_FAILED",
        `expected one package from '${spec}', npm installed: ${dependencies.join(", ") || "none"}`,
      );
    const name = dependencies[0]!;
    const manifest = readManifest(packageDirOf(staging, name));
    linkSdk(staging);
    const definition = await importPlugin(manifest);
    const types = [...(definition.tasks ?? []), ...(definition.triggers ?? []), ...(definition.conditions ?? [])].map(
      (t) => t.type,
    );
    if (types.length === 0)
      throw new SakerError("PLUGIN_INVALID", `${name}@${manifest.version} declares no task, trigger or condition`);
    const target = versionDir(options.pluginsDir, name, manifest.version);
    if (existsSync(target)) {
      if (!options.force)
        throw new SakerError(
          "PLUGIN_ALREADY_INSTALLED",
          `${name}@${manifest.version} is already installed (use --force to replace it)`,
        );
      moveAway(target, options.pluginsDir);
    }
    mkdirSync(dirname(target), { recursive: true });
    renameSync(staging, target);
    return {
      name,
      version: manifest.version,
      dir: target,
      packageDir: packageDirOf(target, name),
      manifest: readManifest(packageDirOf(target, name)),
      types,
    };
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}

/** Renames a folder out of sight at once, then deletes it. */
function moveAway(dir: string, pluginsDir: string): void {
  const trash = join(pluginsDir, `.trash-${Date.now()}-${Math.random().toString(36).slice(2)}`);
  renameSync(dir, trash);
  rmSync(trash, { recursive: true, force: true });
}

/**
 * Removes `name@version` from the plugins folder; throws when that version is not installed
 * there. A bundled version (`bundledDir`) cannot be removed: the error says so.
 */
export function uninstallPlugin(pluginsDir: string, name: string, version: string, bundledDir?: string): void {
  const dir = versionDir(pluginsDir, name, version);
  if (!existsSync(dir)) {
    if (isBundled(bundledDir, name, version)) {
      throw new SakerError(
        "PLUGIN_BUNDLED",
        `${name}@${version} is bundled with Saker and cannot be uninstalled; set plugins.bundledPath to an empty value to turn bundled plugins off`,
      );
    }
    const installed = listInstalled(pluginsDir)
      .filter((v) => v.name === name)
      .map((v) => v.version);
    throw new SakerError(
      "PLUGIN_NOT_INSTALLED",
      `${name}@${version} is not installed${installed.length ? `; installed: ${installed.join(", ")}` : ""}`,
    );
  }
  moveAway(dir, pluginsDir);
  try {
    rmSync(dirname(dir), { recursive: false });
  } catch {
    // other versions remain
  }
}
