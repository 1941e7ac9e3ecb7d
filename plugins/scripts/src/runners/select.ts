/**
 * Picks the task runner of a script task: `taskRunner.type`, else the deprecated `runner:`
 * (`PROCESS` or `DOCKER`, with `docker:` options), else Process.
 *
 * @module
 */
import { NonRetryableError } from "@saker/sdk";
import type { CommonProps } from "../properties.ts";
import { DockerRunner } from "./docker.ts";
import { ProcessRunner } from "./process.ts";
import { findTaskRunner, registerTaskRunner, taskRunnerTypes, type TaskRunner } from "./taskRunner.ts";

registerTaskRunner(ProcessRunner);
registerTaskRunner(DockerRunner);

export function selectRunner(props: Pick<CommonProps, "taskRunner" | "runner" | "docker">): {
  runner: TaskRunner;
  options: Record<string, unknown>;
} {
  if (props.taskRunner) {
    const runner = findTaskRunner(props.taskRunner.type);
    if (!runner)
      throw new NonRetryableError(
        `taskRunner.type: unknown task runner '${props.taskRunner.type}'; available: ${taskRunnerTypes().join(", ")}`,
      );
    return { runner, options: props.taskRunner };
  }
  if (props.runner === "DOCKER") return { runner: DockerRunner, options: { ...(props.docker ?? {}) } };
  return { runner: ProcessRunner, options: {} };
}
