/**
 * The shared directory of a WorkingDirectory on the worker: filled with `inputFiles` and
 * namespace files when its first task creates it; files matching `outputFiles` uploaded after
 * each task.
 */
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import picomatch from "picomatch";
import { SakerError, type TaskStorage } from "@saker/sdk";
import type { WorkingDirectorySetup } from "../executor/types.ts";

/** A path inside `dir`, refusing `..` and absolute names. */
function inside(dir: string, name: string): string {
  const path = resolve(dir, name.replace(/^\/+/, ""));
  if (path !== dir && !path.startsWith(dir + sep)) throw new SakerError("WORKING_DIRECTORY_PATH", `'${name}' is outside the working directory`);
  return path;
}

async function put(dir: string, name: string, content: string | Buffer): Promise<void> {
  const path = inside(dir, name);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, content);
}

/** Where the shared directory of a WorkingDirectory task run lives on this worker. */
export function sharedDirectoryPath(tmpDir: string, workingDirectoryId: string): string {
  return join(tmpDir, `wd-${workingDirectoryId}`);
}

const matcher = (globs: readonly string[] | undefined) => (globs && globs.length ? picomatch(globs.map((g) => g.replace(/^\/+/, "")), { dot: true }) : undefined);

export async function prepareWorkingDirectory(dir: string, setup: WorkingDirectorySetup, renderValue: (value: unknown) => Promise<unknown>, storage: TaskStorage): Promise<void> {
  const ns = setup.namespaceFiles;
  if (ns && ns.enabled !== false) {
    const include = matcher(ns.include);
    const exclude = matcher(ns.exclude);
    for (const namespace of ns.namespaces?.length ? ns.namespaces : [undefined]) {
      const files = storage.namespace(namespace);
      for (const path of await files.list()) {
        const relativePath = path.replace(/^\/+/, "");
        if ((include && !include(relativePath)) || exclude?.(relativePath)) continue;
        await put(dir, relativePath, await files.get(path));
      }
    }
  }
  if (setup.inputFiles !== undefined) {
    let files = await renderValue(setup.inputFiles);
    if (typeof files === "string") files = JSON.parse(files) as unknown;
    if (!files || typeof files !== "object" || Array.isArray(files)) throw new SakerError("PROPERTY_INVALID", "inputFiles: must be a map of file name to content");
    for (const [name, content] of Object.entries(files as Record<string, unknown>)) {
      await put(dir, name, typeof content === "string" ? content : JSON.stringify(content));
    }
  }
}

async function walk(dir: string, root = dir): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await walk(path, root)));
    else if (entry.isFile()) found.push(relative(root, path).split(sep).join("/"));
  }
  return found;
}

/** Uploads the files matching `globs`: name to kestra:// URI. */
export async function collectOutputFiles(dir: string, globs: readonly string[], storage: TaskStorage): Promise<Record<string, string>> {
  const match = matcher(globs);
  if (!match) return {};
  const uploaded: Record<string, string> = {};
  for (const name of await walk(dir)) {
    if (match(name)) uploaded[name] = await storage.putFile(join(dir, name), name.split("/").pop());
  }
  return uploaded;
}
