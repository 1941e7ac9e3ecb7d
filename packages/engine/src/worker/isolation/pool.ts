/**
 * The thread pool for isolated tasks. A task that hangs or burns CPU is stopped by terminating
 * its thread when the kill signal or its timeout fires; the worker's event loop is never blocked.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { MessageChannel } from "node:worker_threads";
import type { Piscina } from "piscina";
import { errorMessage, isSakerError, type RunContext } from "@saker/sdk";
import type { BridgeRequest, IsolatedTaskData, BridgeNotice } from "./protocol.ts";

/** The compiled thread entry (a pool thread cannot load TypeScript sources). */
function threadEntry(): string {
  const here = fileURLToPath(new URL("./threadEntry.js", import.meta.url));
  const compiled = here.replace(`${"/src/"}`, "/dist/");
  return existsSync(here) ? here : compiled;
}

async function answer(ctx: RunContext, request: BridgeRequest): Promise<unknown> {
  const [a, b, c, d] = request.args as [never, never, never, never];
  switch (request.method) {
    case "render":
      return ctx.render(a, b);
    case "renderTyped":
      return ctx.renderTyped(a, b);
    case "renderValue":
      return ctx.renderValue(a, b);
    case "secret":
      return ctx.secret(a);
    case "workingDir":
      return ctx.workingDir();
    case "workingFiles.write":
      return ctx.workingFiles.write(
        Object.fromEntries(
          Object.entries(a as Record<string, unknown>).map(([k, v]) => [
            k,
            v instanceof Uint8Array ? Buffer.from(v) : v,
          ]),
        ),
      );
    case "workingFiles.copyNamespaceFiles":
      return ctx.workingFiles.copyNamespaceFiles(a);
    case "workingFiles.upload":
      return ctx.workingFiles.upload(a);
    case "storage.putFile":
      return ctx.storage.putFile(typeof a === "string" ? a : Buffer.from(a as Uint8Array), b, c);
    case "storage.readFile":
      return ctx.storage.readFile(a);
    case "storage.exists":
      return ctx.storage.exists(a);
    case "storage.size":
      return ctx.storage.size(a);
    case "storage.delete":
      return ctx.storage.delete(a);
    case "ns.list":
      return ctx.storage.namespace(a).list(b);
    case "ns.get":
      return ctx.storage.namespace(a).get(b);
    case "ns.put":
      return ctx.storage.namespace(a).put(b, typeof c === "string" ? c : Buffer.from(c as Uint8Array));
    case "ns.delete":
      return ctx.storage.namespace(a).delete(b);
    case "ns.exists":
      return ctx.storage.namespace(a).exists(b);
    case "kv.get":
      return ctx.kv(a).get(b);
    case "kv.set":
      return ctx.kv(a).set(b, c, d);
    case "kv.delete":
      return ctx.kv(a).delete(b);
    case "kv.list":
      return ctx.kv(a).list(b);
  }
}

/**
 * An instance's pool of threads for isolated tasks, made with its first isolated task (piscina is
 * loaded then) and destroyed at the instance's close: another instance of the process keeps its own.
 */
export class IsolationPool {
  // the pool as it is being made: a close that lands during the first load destroys the pool that
  // load makes, instead of leaving one made after the close
  private pool: Promise<Piscina> | undefined;

  private threads(): Promise<Piscina> {
    if (this.pool) return this.pool;
    const made = import("piscina").then(
      ({ Piscina }) => new Piscina({ filename: threadEntry(), minThreads: 0, maxThreads: 4, idleTimeout: 30_000 }),
    );
    // a failed load is tried again by the next task (unless a close already let go of it)
    made.catch(() => {
      if (this.pool === made) this.pool = undefined;
    });
    return (this.pool = made);
  }

  /** Runs `type` from the plugin `entry` in a pool thread, serving its RunContext calls from `ctx`. */
  run(entry: string, type: string, props: unknown, ctx: RunContext): Promise<unknown> {
    return runInThread(this.threads(), entry, type, props, ctx);
  }

  /** Destroys the threads (a task still running in one is refused); the next task makes a new pool. */
  async close(): Promise<void> {
    const closing = this.pool;
    this.pool = undefined;
    const made = await closing?.catch(() => undefined);
    await made?.destroy();
  }
}

async function runInThread(
  threads: Promise<Piscina>,
  entry: string,
  type: string,
  props: unknown,
  ctx: RunContext,
): Promise<unknown> {
  const { port1, port2 } = new MessageChannel();
  port1.on("message", (message: BridgeRequest | BridgeNotice) => {
    if ("notice" in message) {
      if (message.notice === "log") {
        const [level, text, ...args] = message.args as [
          Parameters<RunContext["logger"]["log"]>[0],
          string,
          ...unknown[],
        ];
        ctx.logger.log(level, text, ...args);
      } else ctx.metric(message.args[0] as never);
      return;
    }
    answer(ctx, message).then(
      (result) => port1.postMessage({ id: message.id, result }),
      (error: unknown) =>
        port1.postMessage({
          id: message.id,
          error: { message: errorMessage(error), ...(isSakerError(error) ? { code: error.code } : {}) },
        }),
    );
  });
  const data: IsolatedTaskData = {
    entry,
    type,
    props,
    info: { flow: ctx.flow, execution: ctx.execution, task: ctx.task, taskRun: ctx.taskRun },
    variables: ctx.variables as Record<string, unknown>,
    pluginConfiguration: { ...ctx.pluginConfiguration() },
    ...(ctx.refusedAddresses ? { refusedAddresses: [...ctx.refusedAddresses] } : {}),
    port: port2,
  };
  try {
    return await (await threads).run(data, { signal: ctx.signal, transferList: [port2 as never] });
  } finally {
    port1.close();
  }
}
