/**
 * Python's `dependencies`: installed with pip once per set (the interpreter and the sorted list
 * make the key) into a cache folder, which the script then finds on PYTHONPATH. An install goes
 * to a temporary folder renamed into place when it succeeded, so a failed or concurrent install
 * never leaves a half-filled cache entry.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { TaskError, type Logger } from "@saker/sdk";
import { runProcess } from "../runners/process.ts";

export interface DependencyInstall {
  python: string;
  dependencies: readonly string[];
  /** The task's environment (pip reads `PIP_INDEX_URL`, `PIP_FIND_LINKS`… from it). */
  env: Readonly<Record<string, string>>;
  workingDir: string;
  cacheDir: string;
  /** `false`: install into the working directory, for this run only. */
  cache: boolean;
  signal: AbortSignal;
  logger: Logger;
  taskRunId: string;
}

/** The default cache folder: per user, under the system's temporary folder. */
export function defaultCacheDir(): string {
  let user = "user";
  try {
    user = String(userInfo().uid >= 0 ? userInfo().uid : userInfo().username);
  } catch {
    // no passwd entry: keep the generic name
  }
  return join(tmpdir(), `saker-scripts-cache-${user}`);
}

const installing = new Map<string, Promise<string>>();

function dependencyKey(python: string, dependencies: readonly string[]): string {
  const sorted = [...new Set(dependencies.map((d) => d.trim()).filter(Boolean))].sort();
  return createHash("sha256")
    .update(JSON.stringify([python, sorted]))
    .digest("hex")
    .slice(0, 24);
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

/** Installs the dependencies (or finds them cached) and returns the folder to put on PYTHONPATH. */
export async function installDependencies(job: DependencyInstall): Promise<string> {
  if (!job.cache) return pipInstall(job, join(job.workingDir, ".python-dependencies"));
  const key = dependencyKey(job.python, job.dependencies);
  const target = join(job.cacheDir, "python", key);
  if (await exists(target)) {
    job.logger.debug("Python dependencies found in the cache ({})", target);
    return target;
  }
  let pending = installing.get(key);
  if (!pending) {
    pending = (async () => {
      const staging = `${target}.${process.pid}.${Date.now().toString(36)}`;
      try {
        await pipInstall(job, staging);
        await rename(staging, target).catch(async (error: NodeJS.ErrnoException) => {
          // Another process installed the same set meanwhile: keep theirs.
          if (!(await exists(target))) throw error;
        });
        return target;
      } finally {
        await rm(staging, { recursive: true, force: true });
        installing.delete(key);
      }
    })();
    installing.set(key, pending);
  }
  return pending;
}

async function pipInstall(job: DependencyInstall, target: string): Promise<string> {
  await mkdir(target, { recursive: true, mode: 0o700 });
  job.logger.info("Installing Python dependencies: {}", job.dependencies.join(", "));
  const tail: string[] = [];
  const command = [
    job.python,
    "-m",
    "pip",
    "install",
    "--disable-pip-version-check",
    "--no-input",
    "--quiet",
    "--target",
    target,
    ...job.dependencies,
  ];
  const { exitCode } = await runProcess({
    command,
    workingDir: job.workingDir,
    env: job.env,
    taskEnv: {},
    containerImage: "",
    options: {},
    signal: job.signal,
    logger: job.logger,
    taskRunId: job.taskRunId,
    onLine: (line, stream) => {
      job.logger.debug("pip: {}", line);
      if (stream === "stderr" && tail.push(line) > 10) tail.shift();
    },
  });
  if (job.signal.aborted) throw new TaskError("Python dependencies install stopped");
  if (exitCode !== 0)
    throw new TaskError(
      `Installing the Python dependencies (${job.dependencies.join(", ")}) failed with exit code ${exitCode}:\n${tail.join("\n")}`,
    );
  return target;
}
