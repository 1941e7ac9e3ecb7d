/**
 * `io.kestra.plugin.scripts.runner.docker.Docker`: the command runs in a container of
 * `containerImage`, with the working directory mounted at the same path. The flow's properties are
 * accepted as Kestra writes them; when no Docker engine answers, the task fails saying so.
 *
 * @module
 */
import { createConnection } from "node:net";
import { NonRetryableError } from "@saker/sdk";
import { runProcess } from "./process.ts";
import type { RunnerJob, RunnerResult, TaskRunner } from "./taskRunner.ts";

/** The engine's address: the runner's `host`, then `DOCKER_HOST`, then the default socket. */
function dockerHost(
  options: Readonly<Record<string, unknown>>,
  env: Readonly<Record<string, string | undefined>>,
): string {
  return typeof options.host === "string" && options.host
    ? options.host
    : env.DOCKER_HOST || "unix:///var/run/docker.sock";
}

/** True when something accepts connections at a `unix://` or `tcp://` Docker host within a second. */
function engineAnswers(host: string): Promise<boolean> {
  const url = /^(unix|tcp|http|https):\/\/(.*)$/.exec(host);
  if (!url) return Promise.resolve(false);
  return new Promise((resolve) => {
    const [hostname, port] = url[2]!.split(":");
    const socket =
      url[1] === "unix"
        ? createConnection({ path: url[2]! })
        : createConnection({ host: hostname!, port: Number(port ?? 2375) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

async function runDocker(job: RunnerJob): Promise<RunnerResult> {
  const host = dockerHost(job.options, process.env);
  if (!(await engineAnswers(host))) {
    throw new NonRetryableError(
      `The Docker task runner needs a Docker engine, and none answers at ${host}. Start one (or set taskRunner.host / DOCKER_HOST), or run the script on the worker with taskRunner: { type: io.kestra.plugin.core.runner.Process }`,
    );
  }
  const name = `saker-${job.taskRunId}-${Date.now().toString(36)}`;
  const args = ["run", "--rm", "--name", name, "-v", `${job.workingDir}:${job.workingDir}`, "-w", job.workingDir];
  for (const key of Object.keys(job.taskEnv)) args.push("-e", key);
  if (typeof job.options.networkMode === "string") args.push("--network", job.options.networkMode);
  if (typeof job.options.user === "string") args.push("--user", job.options.user);
  const image = typeof job.options.image === "string" && job.options.image ? job.options.image : job.containerImage;
  const env = { ...job.taskEnv, PATH: job.env.PATH ?? "/usr/bin:/bin", DOCKER_HOST: host };
  const stop = () =>
    void runProcess({
      ...job,
      command: ["docker", "rm", "-f", name],
      env,
      onLine: () => {},
      signal: new AbortController().signal,
    }).catch(() => {});
  job.signal.addEventListener("abort", stop, { once: true });
  try {
    return await runProcess({ ...job, command: ["docker", ...args, image, ...job.command], env });
  } finally {
    job.signal.removeEventListener("abort", stop);
  }
}

export const DockerRunner: TaskRunner = {
  type: "io.kestra.plugin.scripts.runner.docker.Docker",
  aliases: ["DOCKER"],
  run: runDocker,
};
