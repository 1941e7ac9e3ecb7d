import type { Command } from "commander";
import { Instance } from "@saker/engine/runtime/instance";
import { configFrom, withInstanceOptions, type GlobalOptions } from "../options.ts";

interface ServerOptions extends GlobalOptions {
  port?: string;
  host?: string;
}

/** `saker server local`: the engine in one process on the embedded SQLite backend. */
export function configureServerCommand(program: Command): void {
  const server = program.command("server").description("Run Saker as a server");
  withInstanceOptions(
    server
      .command("local")
      .description("Run the executor, workers and scheduler in one process on an embedded SQLite file and a local storage folder")
      .option("-p, --port <port>", "HTTP port (default 8080)")
      .option("--host <host>", "address to listen on (default 127.0.0.1)"),
  ).action(async (options: ServerOptions) => {
    const overrides: Record<string, unknown> = {};
    if (options.port || options.host) overrides.server = { ...(options.port ? { port: options.port } : {}), ...(options.host ? { host: options.host } : {}) };
    const config = configFrom(options, overrides);
    const started = Date.now();
    const instance = await Instance.open(config);
    instance.watchPlugins((message) => process.stderr.write(`${message}\n`));
    process.stderr.write(`Saker started in ${Date.now() - started} ms, data in ${config.home}\n`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    process.stderr.write("Stopping…\n");
    await instance.close();
  });
}
