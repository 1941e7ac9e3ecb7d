/**
 * `@saker/server`: the REST API over a running instance, on Kestra's paths and JSON shapes.
 *
 * ```ts
 * const instance = await Instance.open(config);
 * const server = await startServer(instance, { port: 0 });
 * console.log(server.url); // http://127.0.0.1:43117
 * await server.close();
 * ```
 *
 * The instance may also be given as a promise: the server then listens at once, `/health`
 * answers 503 and other routes 503 `SERVER_STARTING` until the instance is open.
 *
 * @module
 */
import type { Instance } from "@saker/engine";
import { errorMessage } from "@saker/sdk";
import { compileBasicAuth, type BasicAuthSettings } from "./auth/basicAuth.ts";
import { ServerContext } from "./context.ts";
import { findUiDir } from "./http/ui.ts";
import { buildApp } from "./server.ts";

export { hashPassword, verifyPassword, parsePasswordHash } from "./auth/passwordHash.ts";
export { isLoopback } from "./auth/basicAuth.ts";
export type { ErrorBody } from "./http/errors.ts";

/** The `server` section of the configuration. */
export interface ServerSettings {
  host: string;
  port: number;
  basicAuth: BasicAuthSettings;
  maxRequestSize: number;
}

export interface StartServerOptions {
  /** Overrides `settings.host`. */
  host?: string;
  /** Overrides `settings.port`; 0 picks a free port. */
  port?: number;
  /** Defaults to the instance's `config.server` (required when the instance is a promise). */
  settings?: ServerSettings;
  /** The tenant of the prefixed routes (`/api/v1/{tenant}/…`); the instance's by default, `main`. */
  tenantId?: string;
}

export interface RunningServer {
  /** `http://host:port`, with the port actually bound. */
  url: string;
  /** Stops taking requests, ends open streams and closes the server (not the instance). */
  close(): Promise<void>;
}

function report(error: unknown): void {
  process.stderr.write(`saker server: ${errorMessage(error)}\n`);
  if (process.env.SAKER_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
}

/** Starts the HTTP API; refuses to listen beyond loopback without basic-auth users. */
export async function startServer(
  instance: Instance | Promise<Instance>,
  options: StartServerOptions = {},
): Promise<RunningServer> {
  const ready = instance instanceof Promise ? undefined : instance;
  const settings = options.settings ?? ready?.config.server;
  if (!settings) throw new Error("startServer: options.settings is required when the instance is still opening");
  const host = options.host ?? settings.host;
  const auth = compileBasicAuth(settings.basicAuth, host);
  const ctx = new ServerContext(options.tenantId ?? ready?.config.tenantId ?? "main", settings.maxRequestSize);
  if (ready) ctx.setInstance(ready);
  const app = await buildApp(ctx, {
    auth,
    uiDir: await findUiDir(),
    onInternalError: (error) => (ready ? ready.reportInternalError("HTTP request failed", error) : report(error)),
  });
  try {
    await app.listen({ host, port: options.port ?? settings.port });
  } catch (error) {
    await app.close();
    throw error;
  }
  if (!ready)
    (instance as Promise<Instance>).then(
      (i) => ctx.setInstance(i),
      () => ctx.markStopping(),
    );
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : (options.port ?? settings.port);
  // a wildcard address is shown as loopback, which a client on this machine can reach
  const shownHost =
    host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "[::1]" : host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}`,
    async close() {
      ctx.markStopping();
      await app.close();
    },
  };
}
