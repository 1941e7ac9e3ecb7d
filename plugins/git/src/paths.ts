/**
 * Paths a task takes from its properties or finds in a repository, kept inside their root: no
 * absolute path, no `..` out, no `.git` folder, and never through a symbolic link, so that a
 * repository cannot make a task read or write outside its folder.
 */
import { lstat, mkdir, readdir, readFile, realpath, unlink, writeFile } from "node:fs/promises";
import { isAbsolute, join, posix, relative, sep } from "node:path";
import { NonRetryableError } from "@saker/sdk";

/** `path` (relative, `/`-separated) normalized; refused when absolute, leaving its root, or inside `.git`. */
export function safeRelative(path: string, property: string): string {
  const slashed = path.replace(/\\/g, "/");
  if (isAbsolute(path) || slashed.startsWith("/") || /^[a-zA-Z]:/.test(slashed))
    throw new NonRetryableError(`'${path}' must be a relative path`, { path: property });
  const normal = posix.normalize(slashed).replace(/\/+$/, "");
  if (normal === ".." || normal.startsWith("../"))
    throw new NonRetryableError(`'${path}' leaves its folder`, { path: property });
  if (normal.split("/").some((part) => part.toLowerCase() === ".git"))
    throw new NonRetryableError(`'${path}' points into the .git folder`, { path: property });
  return normal === "." ? "" : normal;
}

/** Refuses when a component of `rel` under `root` that exists is a symbolic link. */
export async function checkNoLink(root: string, rel: string, what: string): Promise<void> {
  let current = root;
  for (const part of rel.split("/").filter(Boolean)) {
    current = join(current, part);
    const stat = await lstat(current).catch(() => undefined);
    if (!stat) return;
    if (stat.isSymbolicLink())
      throw new NonRetryableError(
        `${what}: '${relative(root, current).split(sep).join("/")}' is a symbolic link, refused`,
      );
  }
}

/** Writes a regular file at `rel` under `root`, creating folders, never through a link. */
export async function writeInside(root: string, rel: string, content: Buffer | string, what: string): Promise<void> {
  await checkNoLink(root, rel, what);
  const target = join(root, rel);
  await mkdir(join(target, ".."), { recursive: true });
  await unlink(target).catch(() => undefined);
  await writeFile(target, content, { flag: "wx" });
}

export interface RepoFile {
  /** Relative to the walked folder, `/`-separated. */
  path: string;
  content: () => Promise<Buffer>;
}

/**
 * The regular files under `dir` (a folder of the clone at `root`), `.git` left out; `depth` 1
 * lists only the folder itself. A symbolic link is refused when it points outside `root`;
 * inside, a linked file is read through it and a linked folder is left out.
 */
export async function walkFiles(root: string, dir: string, depth = Infinity): Promise<RepoFile[]> {
  const realRoot = await realpath(root);
  const files: RepoFile[] = [];
  const visit = async (folder: string, prefix: string, level: number): Promise<void> => {
    const entries = await readdir(folder, { withFileTypes: true });
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = join(folder, entry.name);
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.name === ".git") continue;
      if (entry.isSymbolicLink()) {
        const target = await realpath(full).catch(() => undefined);
        const inside = target !== undefined && (target === realRoot || target.startsWith(realRoot + sep));
        if (!inside)
          throw new NonRetryableError(
            `'${relative(root, full).split(sep).join("/")}' in the repository is a symbolic link pointing outside it, refused`,
          );
        if ((await lstat(target)).isFile()) files.push({ path: rel, content: () => readFile(target) });
        continue;
      }
      if (entry.isDirectory()) {
        if (level < depth) await visit(full, rel, level + 1);
      } else if (entry.isFile()) files.push({ path: rel, content: () => readFile(full) });
    }
  };
  await visit(dir, "", 1);
  return files;
}
