/**
 * The engine's renderer: the expression language plus the runtime functions that reach secrets,
 * the KV store, storage and the network (`secret`, `kv`, `read`, `fileSize`, `fileExists`,
 * `fileEmpty`, `errorLogs`, `http`), and the filters and functions of installed plugins.
 */
import type { ExpressionExtension } from "@saker/sdk";
import {
  defaultEngine,
  ExpressionError,
  type CallArgs,
  type CallContext,
  type ExpressionEngine,
  type FunctionDef,
  type RenderLimits,
  type RenderOptions,
} from "../expression/index.ts";
import type { PluginRegistry } from "../plugins/registry.ts";
import { httpFunction } from "./httpFunction.ts";
import type { RenderServices, Renderer } from "../expression/renderer.ts";

function runtime(ctx: CallContext, name: string): RenderServices {
  const services = ctx.services.runtime as RenderServices | undefined;
  if (!services) throw new ExpressionError(`${name}() is only available while a flow runs`);
  return services;
}

function text(args: CallArgs, name: string, index: number, fn: string): string {
  const value = args.get(name, index);
  if (value === undefined || value === null) throw new ExpressionError(`${fn}() needs the argument '${name}'`);
  return String(value);
}

/** An optional argument as text (a namespace), undefined when absent or null. */
function optionalText(args: CallArgs, name: string, index: number): string | undefined {
  const value = args.get(name, index);
  return value === undefined || value === null ? undefined : String(value);
}

function runtimeFunction(
  call: (args: CallArgs, ctx: CallContext, services: RenderServices) => unknown,
  name: string,
): FunctionDef {
  return { call: (args, ctx) => call(args, ctx, runtime(ctx, name)) };
}

function fileEmpty(name: string): FunctionDef {
  return runtimeFunction((args, ctx, s) => {
    const path = text(args, "path", 0, name);
    const namespace = optionalText(args, "namespace", 1);
    return ctx.resolve(`fileSize:${namespace ?? ""}:${path}`, () => s.fileSize(path, namespace)) === 0;
  }, name);
}

export const RUNTIME_FUNCTIONS: Record<string, FunctionDef> = {
  secret: runtimeFunction((args, ctx, s) => {
    const key = text(args, "key", 0, "secret");
    // `namespace` (1) is accepted: secrets are not scoped by namespace here, as in Kestra's open-source secret backends.
    const subkey = optionalText(args, "subkey", 2);
    return ctx.resolve(`secret:${key.toUpperCase()}:${subkey ?? ""}`, () => s.secret(key, subkey || undefined));
  }, "secret"),
  read: runtimeFunction((args, ctx, s) => {
    const path = text(args, "path", 0, "read");
    const namespace = optionalText(args, "namespace", 1);
    return ctx.resolve(`read:${namespace ?? ""}:${path}`, () => s.read(path, namespace));
  }, "read"),
  fileSize: runtimeFunction((args, ctx, s) => {
    const path = text(args, "path", 0, "fileSize");
    const namespace = optionalText(args, "namespace", 1);
    return ctx.resolve(`fileSize:${namespace ?? ""}:${path}`, () => s.fileSize(path, namespace));
  }, "fileSize"),
  fileExists: runtimeFunction((args, ctx, s) => {
    const path = text(args, "path", 0, "fileExists");
    const namespace = optionalText(args, "namespace", 1);
    return ctx.resolve(`fileExists:${namespace ?? ""}:${path}`, () => s.fileExists(path, namespace));
  }, "fileExists"),
  fileEmpty: fileEmpty("fileEmpty"),
  // Kestra's current name; fileEmpty stays accepted.
  isFileEmpty: fileEmpty("isFileEmpty"),
  errorLogs: runtimeFunction(
    (_args, ctx, s) => ctx.resolve("errorLogs", async () => (await s.errorLogs()).map((l) => ({ ...l }))),
    "errorLogs",
  ),
};

/**
 * A KV entry: in the given namespace only, or, without one, in the flow's namespace and then in
 * each parent namespace (`a.b.c`, `a.b`, `a`), as Kestra's kv() does.
 */
async function readKv(
  s: RenderServices,
  namespace: string | undefined,
  key: string,
): Promise<{ value: unknown } | undefined> {
  if (namespace !== undefined) return s.kv(namespace, key);
  for (let current = s.namespace; ; current = current.slice(0, current.lastIndexOf("."))) {
    const entry = await s.kv(current, key);
    if (entry || !current.includes(".")) return entry;
  }
}

/** kv(key, namespace, errorOnMissing); `errorOnMissingByDefault` applies when the call does not say. */
export function kvFunction(errorOnMissingByDefault: boolean): FunctionDef {
  return runtimeFunction((args, ctx, s) => {
    const key = text(args, "key", 0, "kv");
    const given = args.get("namespace", 1);
    const errorOnMissing = args.get("errorOnMissing", 2);
    if (errorOnMissing !== undefined && errorOnMissing !== null && typeof errorOnMissing !== "boolean") {
      throw new ExpressionError(`kv(): errorOnMissing must be a boolean, got ${JSON.stringify(errorOnMissing)}`);
    }
    const namespace = given === undefined || given === null ? undefined : String(given);
    const found = ctx.resolve(`kv:${namespace ?? ""}:${key}`, () => readKv(s, namespace, key));
    // Kestra 0.22+: a missing key fails unless errorOnMissing=false, which gives null.
    if (found === undefined && (errorOnMissing ?? errorOnMissingByDefault)) {
      throw new ExpressionError(`The key '${key}' does not exist in the namespace '${namespace ?? s.namespace}'.`);
    }
    return found === undefined ? null : found.value;
  }, "kv");
}

/** Positional then named arguments, by the extension's declared parameter names. */
function namedArgs(args: CallArgs, params: readonly string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = { ...args.named };
  params.forEach((p, i) => {
    if (!(p in out) && i < args.positional.length) out[p] = args.positional[i];
  });
  return out;
}

function pluginExtensions(registry: PluginRegistry): {
  filters: Record<string, { call: (input: unknown, args: CallArgs) => unknown }>;
  functions: Record<string, FunctionDef>;
} {
  const filters: Record<string, { call: (input: unknown, args: CallArgs) => unknown }> = {};
  const functions: Record<string, FunctionDef> = {};
  const adapt = (ext: ExpressionExtension) => ({
    call: (input: unknown, args: CallArgs) => ext.call(input, namedArgs(args, ext.params)),
  });
  for (const plugin of registry.expressionPlugins()) {
    for (const [name, ext] of Object.entries(plugin.filters ?? {})) filters[name] = adapt(ext);
    for (const [name, ext] of Object.entries(plugin.functions ?? {}))
      functions[name] = { call: (args) => ext.call(undefined, namedArgs(args, ext.params)) };
  }
  return { filters, functions };
}

/** What the runtime functions take from the `expressions` configuration. */
export interface RuntimeFunctionSettings {
  /** kv() without `errorOnMissing` fails on a missing key (Kestra 0.22+), or returns null (false). */
  kvErrorOnMissing?: boolean;
  httpTimeoutMs?: number;
  httpMaxResponseBytes?: number;
}

/** A renderer over the expression engine, with the configured budgets; follows the registry's plugins as they change. */
export function createRenderer(
  registry?: PluginRegistry,
  settings: Partial<RenderLimits> & RuntimeFunctionSettings = {},
): Renderer {
  const {
    kvErrorOnMissing = true,
    httpTimeoutMs = 10_000,
    httpMaxResponseBytes = 10 * 1024 * 1024,
    ...limitSettings
  } = settings;
  const limits = Object.keys(limitSettings).length ? limitSettings : undefined;
  const base = defaultEngine.extend({
    functions: {
      ...RUNTIME_FUNCTIONS,
      kv: kvFunction(kvErrorOnMissing),
      http: httpFunction({ timeoutMs: httpTimeoutMs, maxResponseBytes: httpMaxResponseBytes }),
    },
  });
  let engine: ExpressionEngine = base;
  let version = -1;
  const current = () => {
    if (registry && registry.version !== version) {
      version = registry.version;
      engine = base.extend(pluginExtensions(registry));
    }
    return engine;
  };
  // built key by key: spreads of non-empty objects followed by new keys are many times slower in V8
  const options = (services: RenderServices | undefined, typed?: boolean): RenderOptions => {
    const built: RenderOptions = {};
    if (typed !== undefined) built.typed = typed;
    if (limits) built.limits = limits;
    if (services) built.services = { runtime: services };
    if (services?.signal) built.signal = services.signal;
    return built;
  };
  return {
    render: (template, variables, typed, services) =>
      current().renderAsync(template, variables, options(services, typed)),
    renderValue: (value, variables, services) => current().renderValueAsync(value, variables, options(services)),
  };
}
