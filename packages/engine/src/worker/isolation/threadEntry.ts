/**
 * Runs inside a pool thread: imports the plugin, builds a RunContext whose services are calls
 * back to the worker over a MessagePort, and runs the task.
 */
import { Readable } from "node:stream";
import { pathToFileURL } from "node:url";
import type {
  AnyTaskDefinition,
  KvStore,
  Logger,
  NamespaceFiles,
  PluginDefinition,
  RunContext,
  TaskStorage,
} from "@saker/sdk";
import type { BridgeMethod, BridgeResponse, IsolatedTaskData } from "./protocol.ts";

async function toBuffer(source: unknown): Promise<Buffer | string> {
  if (typeof source === "string") return source;
  if (source instanceof Uint8Array) return Buffer.from(source);
  const chunks: Buffer[] = [];
  for await (const chunk of source as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

export default async function runIsolated(data: IsolatedTaskData): Promise<unknown> {
  const { port } = data;
  let next = 0;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  port.on("message", (message: BridgeResponse) => {
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.error) waiter.reject(Object.assign(new Error(message.error.message), { code: message.error.code }));
    else waiter.resolve(message.result);
  });
  const call = <T>(method: BridgeMethod, ...args: unknown[]): Promise<T> =>
    new Promise((resolve, reject) => {
      const id = ++next;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      port.postMessage({ id, method, args });
    });
  const notice = (kind: "log" | "metric", ...args: unknown[]) => port.postMessage({ notice: kind, args });
  const log =
    (level: string) =>
    (message: string, ...args: unknown[]) =>
      notice("log", level, message, ...args.map((a) => (a instanceof Error ? a.message : a)));
  const logger: Logger = {
    trace: log("TRACE"),
    debug: log("DEBUG"),
    info: log("INFO"),
    warn: log("WARN"),
    error: log("ERROR"),
    log: (level, m, ...a) => log(level)(m, ...a),
  };
  const ns = (namespace?: string): NamespaceFiles => ({
    namespace: namespace ?? String((data.info.flow as { namespace: string }).namespace),
    list: (prefix) => call("ns.list", namespace, prefix),
    get: async (path) => Buffer.from(await call<Uint8Array>("ns.get", namespace, path)),
    put: async (path, content) => call("ns.put", namespace, path, await toBuffer(content)),
    delete: (path) => call("ns.delete", namespace, path),
    exists: (path) => call("ns.exists", namespace, path),
  });
  const storage: TaskStorage = {
    putFile: async (source, name, options) => call("storage.putFile", await toBuffer(source), name, options),
    getFile: async (uri) => Readable.from([Buffer.from(await call<Uint8Array>("storage.readFile", uri))]),
    readFile: async (uri) => Buffer.from(await call<Uint8Array>("storage.readFile", uri)),
    exists: (uri) => call("storage.exists", uri),
    size: (uri) => call("storage.size", uri),
    delete: (uri) => call("storage.delete", uri),
    namespace: ns,
  };
  const kv = (namespace?: string): KvStore => ({
    namespace: namespace ?? String((data.info.flow as { namespace: string }).namespace),
    get: (key) => call("kv.get", namespace, key),
    set: (key, value, options) => call("kv.set", namespace, key, value, options),
    delete: (key) => call("kv.delete", namespace, key),
    list: (prefix) => call("kv.list", namespace, prefix),
  });
  const ctx = {
    ...(data.info as Pick<RunContext, "flow" | "execution" | "task" | "taskRun">),
    logger,
    signal: new AbortController().signal,
    variables: data.variables,
    render: (template: string, extra?: Record<string, unknown>) => call<string>("render", template, extra),
    renderTyped: (template: string, extra?: Record<string, unknown>) => call("renderTyped", template, extra),
    renderValue: (value: unknown, extra?: Record<string, unknown>) => call("renderValue", value, extra),
    secret: (key: string) => call<string>("secret", key),
    storage,
    kv,
    metric: (metric: unknown) => notice("metric", metric),
    workingDir: () => call<string>("workingDir"),
    workingFiles: {
      write: (files) => call("workingFiles.write", files),
      copyNamespaceFiles: (filter) => call("workingFiles.copyNamespaceFiles", filter),
      upload: (globs) => call("workingFiles.upload", globs),
    },
    pluginConfiguration: () => data.pluginConfiguration,
    ...(data.refusedAddresses ? { refusedAddresses: data.refusedAddresses } : {}),
  } satisfies RunContext;
  try {
    const module = (await import(pathToFileURL(data.entry).href)) as { default?: PluginDefinition };
    const task = module.default?.tasks?.find((t: AnyTaskDefinition) => t.type === data.type);
    if (!task) throw new Error(`type '${data.type}' not found in '${data.entry}'`);
    return await task.run(data.props as never, ctx);
  } finally {
    port.close();
  }
}
