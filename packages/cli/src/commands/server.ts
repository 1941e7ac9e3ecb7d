import type { Command } from "commander";
import { configFrom, RESET_DATABASE_HELP, withInstanceOptions, type GlobalOptions } from "../options.ts";
import { configureHashPasswordCommand } from "./hashPassword.ts";
import { configureClusterServerCommands } from "./serverCluster.ts";
import { runServerProcess } from "./serverProcess.ts";

interface ServerOptions extends GlobalOptions {
  port?: string;
  host?: string;
  resetDatabase?: boolean;
}

/** `saker server local`: the engine and the REST API in one process on the embedded SQLite backend. */
export function configureServerCommand(program: Command): void {
  const server = program.command("server").description("Run Saker as a server");
  withInstanceOptions(
    server
      .command("local")
      .description(
        "Run the executor, workers, scheduler and the REST API in one process on an embedded SQLite file and a local storage folder",
      )
      .option("-p, --port <port>", "HTTP port (default 8080)")
      .option(
        "--host <host>",
        "address to listen on (default 127.0.0.1; beyond loopback, basic auth users are required)",
      )
      .option("--reset-database", RESET_DATABASE_HELP),
  ).action(async (options: ServerOptions) => {
    const overrides: Record<string, unknown> = {};
    if (options.port || options.host)
      overrides.server = {
        ...(options.port ? { port: options.port } : {}),
        ...(options.host ? { host: options.host } : {}),
      };
    const started = Date.now();
    const config = await configFrom(options, overrides);
    const { Instance } = await import("@saker/engine");
    await runServerProcess({
      config,
      opening: Instance.open(config, { scheduler: true, resetDatabase: options.resetDatabase === true }),
      api: true,
      watchPlugins: true,
      startedLine: () => `Saker started in ${Date.now() - started} ms, data in ${config.home}`,
    });
  });
  configureClusterServerCommands(server);
  configureHashPasswordCommand(server);
}
