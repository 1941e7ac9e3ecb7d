/**
 * `io.kestra.plugin.core.runner.Process`: the command runs as a child process on the worker, in
 * its own process group. When the task times out or is killed, the whole group gets SIGTERM, then
 * SIGKILL after a grace period; when the command ends, whatever it left running in the group is
 * killed too, so a script never leaves orphans behind.
 *
 * @module
 */
import { spawn } from "node:child_process";
import { NonRetryableError } from "@saker/sdk";
import { splitLines } from "@saker/sdk/outputProtocol";
import type { RunnerJob, RunnerResult, TaskRunner } from "./taskRunner.ts";

/** How long a stopped command may take to end after SIGTERM before the group is SIGKILLed. */
const KILL_GRACE_MS = 2000;

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/** Process groups still running, killed if the worker process exits without stopping them. */
const running = new Set<number>();
let exitHook = false;

function track(pid: number): void {
  running.add(pid);
  if (!exitHook) {
    exitHook = true;
    process.on("exit", () => {
      for (const group of running) signalGroup(group, "SIGKILL");
    });
  }
}

export function runProcess(job: RunnerJob): Promise<RunnerResult> {
  const [program, ...args] = job.command;
  if (!program) throw new NonRetryableError("The command to run is empty");
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, {
      cwd: job.workingDir,
      env: job.env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    if (child.pid !== undefined) track(child.pid);
    const out = splitLines((line) => job.onLine(line, "stdout"));
    const err = splitLines((line) => job.onLine(line, "stderr"));
    child.stdout.on("data", (chunk: Buffer) => out.write(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.write(chunk));
    let killTimer: NodeJS.Timeout | undefined;
    const stop = () => {
      if (child.pid === undefined) return;
      job.logger.debug("Stopping process group {}", child.pid);
      signalGroup(child.pid, "SIGTERM");
      killTimer = setTimeout(() => signalGroup(child.pid!, "SIGKILL"), KILL_GRACE_MS);
      killTimer.unref();
    };
    if (job.signal.aborted) stop();
    else job.signal.addEventListener("abort", stop, { once: true });
    let exitCode: number | null = null;
    child.on("exit", (code, signal) => {
      exitCode = code ?? 128 + signalNumber(signal);
      // Anything the command started and left running dies with it.
      if (child.pid !== undefined) {
        signalGroup(child.pid, "SIGKILL");
        running.delete(child.pid);
      }
      // A process that left the group may still hold the pipes open: stop reading after a while.
      setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
      }, KILL_GRACE_MS).unref();
    });
    child.on("error", (error: NodeJS.ErrnoException) => {
      job.signal.removeEventListener("abort", stop);
      const message =
        error.code === "ENOENT"
          ? `'${program}' was not found on the PATH of the worker (${job.env.PATH ?? "no PATH"})`
          : `Cannot start '${program}': ${error.message}`;
      reject(new NonRetryableError(message));
    });
    child.on("close", () => {
      job.signal.removeEventListener("abort", stop);
      if (killTimer) clearTimeout(killTimer);
      out.end();
      err.end();
      if (exitCode !== null) resolve({ exitCode });
    });
  });
}

const SIGNALS: Record<string, number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGKILL: 9,
  SIGSEGV: 11,
  SIGPIPE: 13,
  SIGTERM: 15,
};

function signalNumber(signal: NodeJS.Signals | null): number {
  return (signal && SIGNALS[signal]) ?? 0;
}

export const ProcessRunner: TaskRunner = {
  type: "io.kestra.plugin.core.runner.Process",
  aliases: ["io.kestra.plugin.scripts.runner.Process", "PROCESS"],
  run: runProcess,
};
