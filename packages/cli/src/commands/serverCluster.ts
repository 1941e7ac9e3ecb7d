/**
 * `saker server executor|worker|scheduler|webserver|standalone`: the processes of a cluster on
 * PostgreSQL (Kestra's server components). Any number of each may run on any machine sharing the
 * database and the storage; `server local` stays the one-process SQLite server.
 */
import { Option, type Command } from "commander";
import { SakerError } from "@saker/sdk";
import type { CompiledConfig } from "@saker/engine";
import { configFrom, withInstanceOptions, type GlobalOptions } from "../options.ts";
import { runServerProcess } from "./serverProcess.ts";

interface ClusterOptions extends GlobalOptions {
  port?: string;
  host?: string;
  concurrency?: string;
  workerGroup?: string;
}

type Component = "executor" | "worker" | "scheduler" | "webserver" | "standalone";

const DESCRIPTIONS: Record<Component, string> = {
  executor: "Run an executor: steps executions (any number of executors share the work, one per execution at a time)",
  worker: "Run a worker: runs task runs, at most --concurrency at once, of its --worker-group only when given",
  scheduler:
    "Run a scheduler: Schedule and polling triggers (one scheduler leads, the others take over when it dies), Flow triggers",
  webserver: "Run the REST API and the UI only (executions started here run on the cluster's executors and workers)",
  standalone: "Run the executor, a worker, the scheduler and the REST API in one process on PostgreSQL",
};

/** The roles of each component in `Instance.open`. */
const ROLES: Record<Component, { executor: boolean; worker: boolean; scheduler: boolean; api: boolean }> = {
  executor: { executor: true, worker: false, scheduler: false, api: false },
  worker: { executor: false, worker: true, scheduler: false, api: false },
  scheduler: { executor: false, worker: false, scheduler: true, api: false },
  webserver: { executor: false, worker: false, scheduler: false, api: true },
  standalone: { executor: true, worker: true, scheduler: true, api: true },
};

export function configureClusterServerCommands(server: Command): void {
  for (const component of Object.keys(ROLES) as Component[]) {
    const roles = ROLES[component];
    const command = withInstanceOptions(server.command(component).description(DESCRIPTIONS[component]));
    if (roles.api)
      command
        .option("-p, --port <port>", "HTTP port (default 8080)")
        .option("--host <host>", "address to listen on (default 127.0.0.1)");
    if (roles.worker)
      command
        .addOption(new Option("--concurrency <n>", "task runs run at once (default: worker.concurrency)"))
        .option("--worker-group <key>", "take only the tasks of this worker group (a task's workerGroup.key)");
    command.action((options: ClusterOptions) => runComponent(component, options));
  }
}

function overridesOf(options: ClusterOptions): Record<string, unknown> {
  const server: Record<string, unknown> = {};
  if (options.port) server.port = options.port;
  if (options.host) server.host = options.host;
  if (options.workerGroup) server.workerGroup = options.workerGroup;
  return {
    ...(Object.keys(server).length ? { server } : {}),
    ...(options.concurrency ? { worker: { concurrency: options.concurrency } } : {}),
  };
}

/** These commands share the database with the other processes: the embedded one cannot. */
export function requirePostgres(config: CompiledConfig, component: string): void {
  if (config.database.type !== "postgres")
    throw new SakerError(
      "CONFIG_INVALID",
      `saker server ${component} runs in a cluster and needs a shared database: set database.type to 'postgres' and database.url (or SAKER_DATABASE_TYPE and SAKER_DATABASE_URL); for one process on SQLite use 'saker server local'`,
    );
}

async function runComponent(component: Component, options: ClusterOptions): Promise<void> {
  const roles = ROLES[component];
  const started = Date.now();
  const config = await configFrom(options, overridesOf(options));
  requirePostgres(config, component);
  const { Instance } = await import("@saker/engine");
  const dead = await runServerProcess({
    config,
    opening: Instance.open(config, {
      executor: roles.executor,
      worker: roles.worker,
      scheduler: roles.scheduler,
      webserver: roles.api,
      cluster: true,
    }),
    api: roles.api,
    watchPlugins: roles.worker,
    startedLine: (instance) =>
      `Saker ${component} started in ${Date.now() - started} ms (owner ${instance.backend.owner})`,
  });
  if (dead) {
    // a supervisor (systemd, Kubernetes) starts a fresh process, with a new identity
    process.exitCode = 1;
  }
}
