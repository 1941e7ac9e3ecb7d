/**
 * The shared directory of a WorkingDirectory on the worker: filled with `inputFiles` and
 * namespace files when its first task creates it; files matching `outputFiles` uploaded after
 * each task.
 */
import { lstat, readFile, rm, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { SakerError, type NamespaceFilesFilter, type TaskStorage } from "@saker/sdk";
import type { WorkingDirectorySetup } from "../executor/types.ts";
import { matchingFiles, pathMatcher, writeFiles } from "../storage/workingFiles.ts";
import { parseJsonData } from "../model/dataLimits.ts";

/** Where the shared directory of a WorkingDirectory task run lives on this worker. */
export function sharedDirectoryPath(tmpDir: string, workingDirectoryId: string): string {
  return join(tmpDir, `wd-${workingDirectoryId}`);
}

const matcher = (globs: readonly string[] | undefined) =>
  globs?.length ? pathMatcher(globs.map((g) => g.replace(/^\/+/, ""))) : undefined;

/** Copies the namespace files `filter` selects into `dir`, keeping their relative paths. */
export async function copyNamespaceFiles(
  dir: string,
  filter: NamespaceFilesFilter,
  storage: TaskStorage,
): Promise<void> {
  const include = matcher(filter.include);
  const exclude = matcher(filter.exclude);
  for (const namespace of filter.namespaces?.length ? filter.namespaces : [undefined]) {
    const files = storage.namespace(namespace);
    const copied: Record<string, Buffer> = {};
    for (const path of await files.list()) {
      const relativePath = path.replace(/^\/+/, "");
      if ((include && !include(relativePath)) || exclude?.(relativePath)) continue;
      copied[relativePath] = await files.get(path);
    }
    await writeFiles(dir, copied, storage);
  }
}

export async function prepareWorkingDirectory(
  dir: string,
  setup: WorkingDirectorySetup,
  renderValue: (value: unknown) => Promise<unknown>,
  storage: TaskStorage,
): Promise<void> {
  const ns = setup.namespaceFiles;
  if (ns && ns.enabled !== false) await copyNamespaceFiles(dir, ns, storage);
  if (setup.inputFiles !== undefined) {
    let files = await renderValue(setup.inputFiles);
    if (typeof files === "string") files = parseJsonData(files, "inputFiles");
    if (!files || typeof files !== "object" || Array.isArray(files))
      throw new SakerError("PROPERTY_INVALID", "inputFiles: must be a map of file name to content");
    await writeFiles(dir, files as Record<string, unknown>, storage);
  }
}

/** What was uploaded already (path → size and mtime), kept beside the directory, not in it. */
const uploadsFile = (dir: string) => `${dir}.uploads.json`;

/**
 * Uploads the files matching `globs` that are new or changed since the last task of the
 * WorkingDirectory uploaded them: name to kestra:// URI.
 */
export async function collectOutputFiles(
  dir: string,
  globs: readonly string[],
  storage: TaskStorage,
): Promise<Record<string, string>> {
  const seen = JSON.parse(await readFile(uploadsFile(dir), "utf8").catch(() => "{}")) as Record<string, string>;
  const changed: string[] = [];
  for (const path of await matchingFiles(dir, globs)) {
    const info = await lstat(join(dir, path));
    const version = `${info.size}:${info.mtimeMs}`;
    if (seen[path] === version) continue;
    seen[path] = version;
    changed.push(path);
  }
  if (changed.length === 0) return {};
  const uploaded: Record<string, string> = {};
  for (const path of changed) uploaded[path] = await storage.putFile(join(dir, path), basename(path));
  await writeFile(uploadsFile(dir), JSON.stringify(seen));
  return uploaded;
}

/** Removes a shared directory and what is kept beside it. */
export async function removeSharedDirectory(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await rm(uploadsFile(dir), { force: true });
}
