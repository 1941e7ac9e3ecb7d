/**
 * The life of a server process, whatever its roles: the REST API listening while the instance
 * opens (`/health` says 503 until it is ready), the start-up lines, then a wait for SIGINT or
 * SIGTERM (or for the cluster to declare the process dead) and an orderly close of both.
 */
import type { CompiledConfig, Instance } from "@saker/engine";

export interface ServerProcess {
  config: CompiledConfig;
  opening: Promise<Instance>;
  /** Serve the REST API and the UI. */
  api: boolean;
  /** Pick up plugin versions installed while running. */
  watchPlugins: boolean;
  /** The start-up line, once the instance is open. */
  startedLine(instance: Instance): string;
}

/** Runs until a signal; resolves `true` when the process stopped because the cluster declared it dead. */
export async function runServerProcess(process_: ServerProcess): Promise<boolean> {
  const { config, opening } = process_;
  // A failed open is reported once, below, not as an unhandled rejection while the API starts.
  opening.catch(() => undefined);
  let http: { url: string; close(): Promise<void> } | undefined;
  try {
    if (process_.api) {
      const { startServer } = await import("@saker/server");
      http = await startServer(opening, { settings: config.server, tenantId: config.tenantId });
    }
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
    await http?.close();
    throw error;
  }
  if (process_.watchPlugins) instance.watchPlugins((message) => process.stderr.write(`${message}\n`));
  process.stderr.write(`${process_.startedLine(instance)}\n`);
  if (http)
    process.stdout.write(
      `Saker API on ${http.url}/api/v1 (OpenAPI: ${http.url}/api/v1/openapi.json, docs: ${http.url}/api/v1/docs)\n` +
        `Saker UI on ${http.url}/ui/\n`,
    );
  const dead = await new Promise<boolean>((resolve) => {
    process.once("SIGINT", () => resolve(false));
    process.once("SIGTERM", () => resolve(false));
    instance.onDeclaredDead(() => resolve(true));
  });
  process.stderr.write("Stopping…\n");
  await http?.close();
  await instance.close();
  return dead;
}
