/**
 * The expression engine: parses templates once (LRU cache), renders them in string or typed mode,
 * renders whole values (map keys included), and loads asynchronous values (`kv()`, `read()`) by
 * re-running a render once each value is loaded.
 */
import type { Template } from "./ast.ts";
import { EvalError, ExpressionError, PendingValue } from "./errors.ts";
import { shown } from "../model/shown.ts";
import { Evaluation, setKey, startState, type RenderState } from "./evaluator.ts";
import { DEFAULT_LIMITS, type RenderLimits } from "./limits.ts";
import type { Abortable } from "../model/killSwitch.ts";
import { Lru } from "../model/lru.ts";
import { parseTemplate } from "./parser.ts";
import { extendRegistry, type ExpressionExtensions, type Registry } from "./registry.ts";
import { toPlain } from "./values.ts";

export interface RenderOptions {
  /** Return the native value of a single expression instead of a string. */
  typed?: boolean;
  /** Opaque services for runtime functions (the engine passes `{ runtime: RenderServices }`). */
  services?: Readonly<Record<string, unknown>>;
  limits?: Partial<RenderLimits>;
  /** Stops asynchronous work of the render (a `jq` call in its thread) when aborted. */
  signal?: Abortable;
}

export interface ExpressionEngine {
  render(template: string, vars: Record<string, unknown>, options?: RenderOptions): unknown;
  renderAsync(template: string, vars: Record<string, unknown>, options?: RenderOptions): Promise<unknown>;
  renderValue(value: unknown, vars: Record<string, unknown>, options?: RenderOptions): unknown;
  renderValueAsync(value: unknown, vars: Record<string, unknown>, options?: RenderOptions): Promise<unknown>;
  /** A new engine with more filters, functions and tests, sharing the parse cache. */
  extend(extensions: ExpressionExtensions): ExpressionEngine;
}

const RAW = /\{%-*\s*raw\s*-*%\}([\s\S]*?)\{%-*\s*endraw\s*-*%\}/g;
const MAX_ASYNC_PASSES = 256;
const cache = new Lru<string, Template>(1000);

function parse(source: string): Template {
  let template = cache.get(source);
  if (!template) {
    template = parseTemplate(source);
    cache.set(source, template);
  }
  return template;
}

function unwrapRaw(s: string, bodies: readonly string[]): string {
  return s
    .replace(/\u0000raw(\d+)\u0000/g, (_, i: string) => bodies[Number(i)]!)
    .replace(RAW, (_, body: string) => body);
}

const NO_BODIES: readonly string[] = [];

/** The restore of a source without a raw block: only an output holding the word can change. */
const restoreNone = (output: unknown): unknown =>
  typeof output === "string" && output.includes("raw") ? unwrapRaw(output, NO_BODIES) : output;

/** Kestra protects `{% raw %}` bodies before Pebble and restores them after. */
function protectRaw(source: string): { text: string; restore(output: unknown): unknown } {
  // both patterns hold the word `raw`: text without it is left as it is
  if (!source.includes("raw")) return { text: source, restore: restoreNone };
  const bodies: string[] = [];
  const text = source.replace(RAW, (_, body: string) => `\u0000raw${bodies.push(body) - 1}\u0000`);
  return {
    text,
    restore: (output) => (typeof output === "string" && output.includes("raw") ? unwrapRaw(output, bodies) : output),
  };
}

class Engine implements ExpressionEngine {
  constructor(private readonly registry: Registry) {}

  private renderWith(
    source: string,
    vars: Record<string, unknown>,
    options: RenderOptions,
    state: RenderState,
  ): unknown {
    if (!source.includes("{")) return source;
    const limits = limitsOf(options);
    const raw = protectRaw(source);
    const template = parse(raw.text);
    const services = options.services ?? {};
    const nested = (t: string, v: Record<string, unknown>, s: RenderState) =>
      String(this.renderWith(t, v, { ...options, typed: false }, s));
    const evaluation = new Evaluation(template, vars, this.registry, services, limits, state, nested);
    try {
      const typed = options.typed === true;
      const result = evaluation.run(typed);
      return typed ? toPlain(raw.restore(result)) : raw.restore(result);
    } catch (error) {
      if (error instanceof ExpressionError || error instanceof PendingValue) throw error;
      if (error instanceof EvalError) throw new ExpressionError(error.message, { template: source });
      throw error;
    }
  }

  render(template: string, vars: Record<string, unknown>, options: RenderOptions = {}): unknown {
    return this.renderSync(template, vars, options, startState(limitsOf(options), new Map(), options.signal));
  }

  private renderSync(
    template: string,
    vars: Record<string, unknown>,
    options: RenderOptions,
    state: RenderState,
  ): unknown {
    try {
      return this.renderWith(template, vars, options, state);
    } catch (error) {
      if (error instanceof PendingValue)
        throw new ExpressionError(`'${shown(error.key)}' needs asynchronous rendering (renderAsync)`, { template });
      throw error;
    }
  }

  async renderAsync(template: string, vars: Record<string, unknown>, options: RenderOptions = {}): Promise<unknown> {
    return this.withLoads(options, (state) => this.renderWith(template, vars, options, state));
  }

  /**
   * Runs `fn` again each time it stops on a value still to load, until it completes. Each pass is
   * synchronous and gets the whole time budget; the loads between passes are awaited.
   */
  private async withLoads<T>(options: RenderOptions, fn: (state: RenderState) => T): Promise<T> {
    const memo: RenderState["memo"] = new Map();
    const limits = limitsOf(options);
    for (let pass = 0; pass < MAX_ASYNC_PASSES; pass++) {
      options.signal?.throwIfAborted();
      try {
        return fn(startState(limits, memo, options.signal));
      } catch (error) {
        if (!(error instanceof PendingValue)) throw error;
        try {
          memo.set(error.key, { value: await error.load() });
        } catch (loadError) {
          memo.set(error.key, { error: loadError });
        }
      }
    }
    throw new ExpressionError(`more than ${MAX_ASYNC_PASSES} asynchronous values in one render`);
  }

  renderValue(value: unknown, vars: Record<string, unknown>, options: RenderOptions = {}): unknown {
    const state = startState(limitsOf(options), new Map(), options.signal);
    return this.deep(value, (s) => this.renderSync(s, vars, options, { ...state, iterations: 0, depth: 0 }));
  }

  async renderValueAsync(value: unknown, vars: Record<string, unknown>, options: RenderOptions = {}): Promise<unknown> {
    return this.withLoads(options, (state) =>
      this.deep(value, (s) => this.renderWith(s, vars, options, { ...state, iterations: 0, depth: 0 })),
    );
  }

  private deep(value: unknown, render: (s: string) => unknown): unknown {
    if (typeof value === "string") return render(value);
    if (Array.isArray(value)) return value.map((v) => this.deep(v, render));
    if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) setKey(out, String(render(k)), this.deep(v, render));
      return out;
    }
    return value;
  }

  extend(extensions: ExpressionExtensions): ExpressionEngine {
    return new Engine(extendRegistry(this.registry, extensions));
  }
}

/** The limits of each `options.limits` object seen (a renderer passes the same one to every render). */
const mergedLimits = new WeakMap<Partial<RenderLimits>, RenderLimits>();

function limitsOf(options: RenderOptions): RenderLimits {
  const given = options.limits;
  if (!given) return DEFAULT_LIMITS;
  let limits = mergedLimits.get(given);
  if (!limits) mergedLimits.set(given, (limits = Object.freeze({ ...DEFAULT_LIMITS, ...given })));
  return limits;
}

export function createEngine(registry: Registry): ExpressionEngine {
  return new Engine(registry);
}
