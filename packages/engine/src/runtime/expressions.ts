/**
 * The engine's renderer: the expression language plus the runtime functions that reach secrets,
 * the KV store and storage (`secret`, `kv`, `read`, `fileSize`, `fileExists`, `fileEmpty`,
 * `errorLogs`), and the filters and functions of installed plugins.
 */
import type { ExpressionExtension } from "@saker/sdk";
import { defaultEngine, ExpressionError, type CallArgs, type CallContext, type ExpressionEngine, type FunctionDef, type RenderLimits, type RenderOptions } from "../expression/index.ts";
import type { PluginRegistry } from "../plugins/registry.ts";
import type { RenderServices, Renderer } from "./renderer.ts";

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

function runtimeFunction(call: (args: CallArgs, ctx: CallContext, services: RenderServices) => unknown, name: string): FunctionDef {
  return { call: (args, ctx) => call(args, ctx, runtime(ctx, name)) };
}

export const RUNTIME_FUNCTIONS: Record<string, FunctionDef> = {
  secret: runtimeFunction((args, ctx, s) => {
    const key = text(args, "key", 0, "secret");
    return ctx.resolve(`secret:${key.toUpperCase()}`, () => s.secret(key));
  }, "secret"),
  kv: runtimeFunction((args, ctx, s) => {
    const key = text(args, "key", 0, "kv");
    const namespace = String(args.get("namespace", 1) ?? s.namespace);
    const errorOnMissing = args.get("errorOnMissing", 2) === true;
    return ctx.resolve(`kv:${namespace}:${key}:${errorOnMissing}`, () => s.kv(namespace, key, errorOnMissing));
  }, "kv"),
  read: runtimeFunction((args, ctx, s) => {
    const path = text(args, "path", 0, "read");
    return ctx.resolve(`read:${path}`, () => s.read(path));
  }, "read"),
  fileSize: runtimeFunction((args, ctx, s) => {
    const path = text(args, "path", 0, "fileSize");
    return ctx.resolve(`fileSize:${path}`, () => s.fileSize(path));
  }, "fileSize"),
  fileExists: runtimeFunction((args, ctx, s) => {
    const path = text(args, "path", 0, "fileExists");
    return ctx.resolve(`fileExists:${path}`, () => s.fileExists(path));
  }, "fileExists"),
  fileEmpty: runtimeFunction((args, ctx, s) => {
    const path = text(args, "path", 0, "fileEmpty");
    return ctx.resolve(`fileSize:${path}`, () => s.fileSize(path)) === 0;
  }, "fileEmpty"),
  errorLogs: runtimeFunction((_args, ctx, s) => ctx.resolve("errorLogs", async () => (await s.errorLogs()).map((l) => ({ ...l }))), "errorLogs"),
};

/** Positional then named arguments, by the extension's declared parameter names. */
function namedArgs(args: CallArgs, params: readonly string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = { ...args.named };
  params.forEach((p, i) => {
    if (!(p in out) && i < args.positional.length) out[p] = args.positional[i];
  });
  return out;
}

function pluginExtensions(registry: PluginRegistry): { filters: Record<string, { call: (input: unknown, args: CallArgs) => unknown }>; functions: Record<string, FunctionDef> } {
  const filters: Record<string, { call: (input: unknown, args: CallArgs) => unknown }> = {};
  const functions: Record<string, FunctionDef> = {};
  const adapt = (ext: ExpressionExtension) => ({ call: (input: unknown, args: CallArgs) => ext.call(input, namedArgs(args, ext.params)) });
  for (const plugin of registry.expressionPlugins()) {
    for (const [name, ext] of Object.entries(plugin.filters ?? {})) filters[name] = adapt(ext);
    for (const [name, ext] of Object.entries(plugin.functions ?? {})) functions[name] = { call: (args) => ext.call(undefined, namedArgs(args, ext.params)) };
  }
  return { filters, functions };
}

/** A renderer over the expression engine, with the configured budgets; follows the registry's plugins as they change. */
export function createRenderer(registry?: PluginRegistry, limits?: Partial<RenderLimits>): Renderer {
  const base = defaultEngine.extend({ functions: RUNTIME_FUNCTIONS });
  let engine: ExpressionEngine = base;
  let version = -1;
  const current = () => {
    if (registry && registry.version !== version) {
      version = registry.version;
      engine = base.extend(pluginExtensions(registry));
    }
    return engine;
  };
  const options = (services?: RenderServices): RenderOptions => ({
    ...(limits ? { limits } : {}),
    ...(services ? { services: { runtime: services } } : {}),
    ...(services?.signal ? { signal: services.signal } : {}),
  });
  return {
    render: (template, variables, typed, services) => current().renderAsync(template, variables, { typed, ...options(services) }),
    renderValue: (value, variables, services) => current().renderValueAsync(value, variables, options(services)),
  };
}
