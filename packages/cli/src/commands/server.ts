import type { Command } from "commander";
import type { Instance } from "@saker/engine";
import { configFrom, RESET_DATABASE_HELP, withInstanceOptions, type GlobalOptions } from "../options.ts";
import { configureHashPasswordCommand } from "./hashPassword.ts";
import { configureClusterServerCommands } from "./serverCluster.ts";

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
    const [{ Instance }, { startServer }] = await Promise.all([import("@saker/engine"), import("@saker/server")]);
    // The API listens while the instance opens: /health says 503 until it is ready.
    const opening = Instance.open(config, { scheduler: true, resetDatabase: options.resetDatabase === true });
    // A failed open is reported once, below, not as an unhandled rejection while the API starts.
    opening.catch(() => undefined);
    let http;
    try {
      http = await startServer(opening, { settings: config.server, tenantId: config.tenantId });
    } catch (error) {
      await opening.then(
        (instance) => instance.close(),
        () => undefined,
      );
      throw error;
    }
    let instance: Instance;
    try {
      instance = await opening;
    } catch (error) {
      await http.close();
      throw error;
    }
    instance.watchPlugins((message) => process.stderr.write(`${message}\n`));
    process.stderr.write(`Saker started in ${Date.now() - started} ms, data in ${config.home}\n`);
    process.stdout.write(
      `Saker API on ${http.url}/api/v1 (OpenAPI: ${http.url}/api/v1/openapi.json, docs: ${http.url}/api/v1/docs)\n` +
        `Saker UI on ${http.url}/ui/\n`,
    );
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    process.stderr.write("Stopping…\n");
    await http.close();
    await instance.close();
  });
  configureClusterServerCommands(server);
  configureHashPasswordCommand(server);
}
