/**
 * The services a test needs (PostgreSQL, Redis, RabbitMQ, MQTT, NATS…). With CI=true a service
 * that does not answer fails the tests; locally they are skipped with a message naming it.
 */
import { spawnSync } from "node:child_process";
import { createConnection } from "node:net";

/** True when something accepts TCP connections on host:port within a second. */
export function portOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/**
 * Whether a service is up. In CI (`CI=true`) a missing service throws, failing the suite; locally
 * it returns false after printing why the tests are skipped.
 */
export async function serviceAvailable(name: string, host: string, port: number): Promise<boolean> {
  if (await portOpen(host, port)) return true;
  const message = `${name} is not reachable on ${host}:${port}`;
  if (process.env.CI === "true") throw new Error(`${message} (CI=true: the service is required)`);
  console.warn(`${message}: skipping its tests (set CI=true to make this a failure)`);
  return false;
}

/**
 * Whether tests needing programs of the machine (a server they start, its tools) can run:
 * `missing` lists what is not there. In CI a missing one throws (with `install`, how to get it);
 * locally the tests are skipped after a message saying why.
 */
export function requirementsMet(tests: string, missing: readonly string[], install: string): boolean {
  if (!missing.length) return true;
  const message = `${tests} need ${missing.join(", ")}`;
  if (process.env.CI === "true") throw new Error(`CI=true: ${message}; ${install}`);
  console.warn(`${message}: skipping them (they are not run, not passed; set CI=true to make this a failure)`);
  return false;
}

/** Whether `tool` is a command on the PATH. */
export function onPath(tool: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;
}

/** Runs a program and gives its standard output; throws with its standard error when it fails. */
export function runProgram(command: string, args: readonly string[]): string {
  const result = spawnSync(command, args, { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed: ${result.stderr}`);
  return result.stdout;
}
