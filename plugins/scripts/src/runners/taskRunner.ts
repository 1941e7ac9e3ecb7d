/**
 * Task runners: where a script's command runs. `Process` (a child process on the worker) is the
 * default; `Docker` is declared. Another plugin adds a runner (Kubernetes, a cloud batch service)
 * with {@link registerTaskRunner}: runners are kept in one table shared through `Symbol.for`, so
 * every copy of this package sees them.
 *
 * @module
 */
import type { Logger } from "@saker/sdk";

/** One command to run for a script task. */
export interface RunnerJob {
  /** The program and its arguments. */
  readonly command: readonly string[];
  /** The task run's working directory (inputs are there; outputs are read from there). */
  readonly workingDir: string;
  /** The whole environment of the command (the worker's, cleaned, plus the task's). */
  readonly env: Readonly<Record<string, string>>;
  /** Only the variables the task sets (`env`, `WORKING_DIR`…), for runners that do not inherit the worker's. */
  readonly taskEnv: Readonly<Record<string, string>>;
  /** Image the task asked for (`containerImage`), for runners that use one. */
  readonly containerImage: string;
  /** The `taskRunner` properties as written in the flow (rendered), `type` included. */
  readonly options: Readonly<Record<string, unknown>>;
  /** Aborted on timeout or kill: stop the command, and everything it started, then resolve. */
  readonly signal: AbortSignal;
  readonly logger: Logger;
  /** Called for every stdout and stderr line, in order per stream. */
  onLine(line: string, stream: "stdout" | "stderr"): void;
  /** The task run's id, to name containers or pods. */
  readonly taskRunId: string;
}

export interface RunnerResult {
  exitCode: number;
}

export interface TaskRunner {
  /** e.g. `io.kestra.plugin.core.runner.Process`. */
  readonly type: string;
  readonly aliases?: readonly string[];
  run(job: RunnerJob): Promise<RunnerResult>;
}

const TABLE = Symbol.for("saker.scripts.taskRunners");
type Table = Map<string, TaskRunner>;

function table(): Table {
  const holder = globalThis as unknown as Record<symbol, Table | undefined>;
  return (holder[TABLE] ??= new Map());
}

/** Makes a runner available to every script task under its type and aliases. */
export function registerTaskRunner(runner: TaskRunner): void {
  for (const type of [runner.type, ...(runner.aliases ?? [])]) table().set(type, runner);
}

export function findTaskRunner(type: string): TaskRunner | undefined {
  return table().get(type);
}

export function taskRunnerTypes(): string[] {
  return [...new Set([...table().values()].map((r) => r.type))].sort();
}
