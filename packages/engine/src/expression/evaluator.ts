/**
 * Evaluates a parsed template against variables: strict lookups (an undefined variable or
 * attribute is an error), Pebble's operators and truthiness, tags, macros, and Kestra's `??` and
 * `???`. Only data is reachable: own properties of plain maps and list indices, never prototypes.
 */
import type { Args, Expr, Node, Template } from "./ast.ts";
import { hashMapOrder, javaHash } from "./filters/javaHashMap.ts";
import { BudgetError, EvalError, ExpressionError, NotFound, PendingValue } from "./errors.ts";
import { toJson } from "./json.ts";
import type { CallArgs, CallContext, Registry } from "./registry.ts";
import type { RenderLimits } from "./limits.ts";
import type { Abortable } from "../model/killSwitch.ts";
import { shown } from "../model/shown.ts";
import { addToList, compareNumbers, isIn, numericOp, pebbleRange, subtractFromList } from "./operators.ts";
import { equals, isFloating, isMap, isNumeric, JChar, javaToString, num, numberToString, toBoolean } from "./values.ts";

export interface RenderState {
  iterations: number;
  depth: number;
  /** The time budget, shared by every template of one synchronous evaluation. */
  clock: BudgetClock;
  signal?: Abortable | undefined;
  memo: Map<string, { value?: unknown; error?: unknown }>;
}

const NOTHING = Symbol("nothing");

function makeArgs(positional: unknown[], named: Record<string, unknown>): CallArgs {
  return {
    positional,
    named,
    get: (name, index) => (Object.hasOwn(named, name) ? named[name] : positional[index]),
    has: (name, index) => Object.hasOwn(named, name) || index < positional.length,
  };
}

/** A map key set without ever touching a prototype (`__proto__` stays a plain key). */
export function setKey(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__")
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

export class Evaluation {
  private readonly scopes: Map<string, unknown>[] = [new Map()];
  private readonly parts: unknown[] = [];
  private size = 0;

  constructor(
    private readonly template: Template,
    private readonly vars: Record<string, unknown>,
    private readonly registry: Registry,
    private readonly services: Readonly<Record<string, unknown>>,
    private readonly limits: RenderLimits,
    private readonly state: RenderState,
    private readonly renderNested: (template: string, vars: Record<string, unknown>, state: RenderState) => string,
    private readonly isolated = false,
  ) {}

  // ---------------------------------------------------------------- output

  /** Renders the template; `typed` returns the native value of what was written. */
  run(typed: boolean): unknown {
    this.nodes(this.template.nodes);
    return this.output(typed);
  }

  /** Renders `nodes` (a macro, block or filter body) into a string. */
  collect(nodes: readonly Node[]): string {
    this.nodes(nodes);
    return String(this.output(false));
  }

  private output(typed: boolean): unknown {
    if (!typed) return this.parts.map((p) => (typeof p === "string" ? p : this.print(p))).join("");
    let current: unknown = NOTHING;
    for (const part of this.parts) {
      if (part === null || part === undefined) continue;
      if (current === NOTHING) current = part;
      else if (typeof current === "string" && typeof part === "string") current += part;
      else throw new EvalError(`cannot write ${describe(part)} after ${describe(current)} in a typed render`);
    }
    return current === NOTHING ? (this.parts.length ? null : "") : current;
  }

  private write(value: unknown): void {
    const length = typeof value === "string" ? value.length : 16;
    this.size += length;
    if (this.size > this.limits.maxOutputSize)
      throw new EvalError(`the output exceeds ${this.limits.maxOutputSize} characters`);
    this.parts.push(value);
  }

  print(value: unknown): string {
    if (value === null || value === undefined) return "";
    if (typeof value === "string") return value;
    if (typeof value === "boolean") return String(value);
    if (isNumeric(value)) return numberToString(value);
    if (value instanceof JChar) return value.char;
    return toJson(value);
  }

  // ---------------------------------------------------------------- statements

  private nodes(nodes: readonly Node[]): void {
    for (const node of nodes) {
      checkBudget(this.state);
      this.node(node);
    }
  }

  private located<T>(line: number, source: string, fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      throw this.wrap(error, line, source);
    }
  }

  private wrap(error: unknown, line: number, _source: string): unknown {
    if (error instanceof ExpressionError || error instanceof PendingValue) return error;
    const where = `used in the expression \`${shown(this.template.source, 500)}\` at line ${line}`;
    if (error instanceof NotFound)
      return new ExpressionError(
        `Unable to find \`${error.attribute}\` ${where}${error.hint ? `: ${error.hint}` : ""}`,
        { line, template: this.template.source },
      );
    const message = error instanceof Error ? error.message : String(error);
    return new ExpressionError(`${message} (${where})`, { line, template: this.template.source, cause: error });
  }

  private node(node: Node): void {
    switch (node.type) {
      case "text":
        this.write(node.text);
        return;
      case "print":
        this.write(this.located(node.line, node.source, () => this.expr(node.expr)));
        return;
      case "if":
        for (const branch of node.branches) {
          if (this.located(node.line, node.source, () => toBoolean(this.expr(branch.condition)))) {
            this.nodes(branch.body);
            return;
          }
        }
        if (node.otherwise) this.nodes(node.otherwise);
        return;
      case "for":
        return this.forLoop(node);
      case "set": {
        const value = this.located(node.line, node.source, () => this.expr(node.value));
        this.assign(node.name, value);
        return;
      }
      case "filterBlock": {
        let value: unknown = this.sub().collect(node.body);
        for (const f of node.filters)
          value = this.located(node.line, node.source, () => this.applyFilter(f.name, value, this.args(f.args)));
        this.write(value);
        return;
      }
      case "macro":
        return;
      case "block":
        this.nodes(node.body);
        return;
    }
  }

  private forLoop(node: Extract<Node, { type: "for" }>): void {
    const iterable = this.located(node.line, node.source, () => this.expr(node.iterable));
    if (iterable === null || iterable === undefined) return;
    let items: unknown[];
    if (Array.isArray(iterable)) items = iterable;
    else if (isMap(iterable)) items = Object.entries(iterable).map(([key, value]) => ({ key, value }));
    else if (typeof iterable === "string") {
      if (iterable.length > this.limits.maxIterations)
        throw this.wrap(
          new EvalError(`more than ${this.limits.maxIterations} loop iterations`),
          node.line,
          node.source,
        );
      items = [...iterable].map((c) => new JChar(c));
    } else throw this.wrap(new EvalError(`cannot iterate over ${describe(iterable)}`), node.line, node.source);
    if (items.length === 0) {
      if (node.otherwise) this.nodes(node.otherwise);
      return;
    }
    const scope = new Map<string, unknown>();
    this.scopes.push(scope);
    try {
      items.forEach((item, index) => {
        if (++this.state.iterations > this.limits.maxIterations)
          throw this.wrap(
            new EvalError(`more than ${this.limits.maxIterations} loop iterations`),
            node.line,
            node.source,
          );
        checkBudget(this.state);
        scope.set(node.variable, item);
        scope.set("loop", {
          index,
          revindex: items.length - 1 - index,
          first: index === 0,
          last: index === items.length - 1,
          length: items.length,
        });
        this.nodes(node.body);
      });
    } finally {
      this.scopes.pop();
    }
  }

  private assign(name: string, value: unknown): void {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      if (this.scopes[i]!.has(name)) {
        this.scopes[i]!.set(name, value);
        return;
      }
    }
    this.scopes[this.scopes.length - 1]!.set(name, value);
  }

  private sub(): Evaluation {
    const child = new Evaluation(
      this.template,
      this.vars,
      this.registry,
      this.services,
      this.limits,
      this.state,
      this.renderNested,
      this.isolated,
    );
    child.scopes.splice(0, 1, ...this.scopes);
    return child;
  }

  // ---------------------------------------------------------------- expressions

  private lookup(name: string): unknown {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const scope = this.scopes[i]!;
      if (scope.has(name)) return scope.get(name);
    }
    if (!this.isolated && Object.hasOwn(this.vars, name)) return this.vars[name];
    throw new NotFound(name);
  }

  expr(e: Expr): unknown {
    switch (e.type) {
      case "literal":
        return e.value;
      case "var":
        return this.lookup(e.name);
      case "attr":
        return attribute(this.expr(e.object), e.name);
      case "index": {
        const object = this.expr(e.object);
        const index = this.expr(e.index);
        return attribute(
          object,
          isNumeric(index) ? String(num(index)) : index instanceof JChar ? index.char : String(index),
        );
      }
      case "list":
        return e.items.map((i) => this.expr(i));
      case "map": {
        // Pebble builds a map literal as a HashMap sized for its entries: keys come out in hash order
        const entries = new Map<string, { hashKey: unknown; value: unknown }>();
        for (const [k, v] of e.entries) {
          const key = this.expr(k);
          if (key === null || key === undefined || (typeof key === "object" && !(key instanceof JChar)))
            throw new EvalError(`a map key must be a string or a number, got ${describe(key)}`);
          const text = this.print(key);
          entries.set(text, {
            hashKey: entries.get(text)?.hashKey ?? (key instanceof JChar ? key.char : key),
            value: this.expr(v),
          });
        }
        const map: Record<string, unknown> = {};
        const capacity = Math.ceil(e.entries.length / 0.75);
        for (const key of hashMapOrder([...entries.keys()], capacity, (k) => javaHash(entries.get(k)!.hashKey)))
          setKey(map, key, entries.get(key)!.value);
        return map;
      }
      case "concat":
        return e.parts.map((p) => this.text(this.expr(p))).join("");
      case "unary":
        return this.unary(e);
      case "binary":
        return this.binary(e);
      case "ternary":
        return toBoolean(this.expr(e.condition), true) ? this.expr(e.then) : this.expr(e.else);
      case "call":
        return this.call(e.name, e.args);
      case "filter":
        return this.filter(e);
      case "test":
        return this.test(e);
    }
  }

  private text(value: unknown): string {
    return value === null || value === undefined ? "" : javaToString(value);
  }

  private checkSize(text: string): string {
    if (text.length > this.limits.maxOutputSize)
      throw new EvalError(`a string exceeds ${this.limits.maxOutputSize} characters`);
    return text;
  }

  private unary(e: Extract<Expr, { type: "unary" }>): unknown {
    const value = this.expr(e.operand);
    if (e.op === "not") return !toBoolean(value);
    if (!isNumeric(value)) throw new EvalError(`unary '${e.op}' needs a number, got ${describe(value)}`);
    return e.op === "-" ? numericOp("*", -1, value) : value;
  }

  private binary(e: Extract<Expr, { type: "binary" }>): unknown {
    switch (e.op) {
      case "or":
        return toBoolean(this.expr(e.left)) || toBoolean(this.expr(e.right));
      case "and":
        return toBoolean(this.expr(e.left)) && toBoolean(this.expr(e.right));
      case "??":
        try {
          const left = this.expr(e.left);
          return left === null || left === undefined ? this.expr(e.right) : left;
        } catch (error) {
          if (error instanceof NotFound) return this.expr(e.right);
          throw error;
        }
      case "???":
        try {
          return this.expr(e.left);
        } catch (error) {
          if (error instanceof NotFound) return this.expr(e.right);
          throw error;
        }
    }
    const left = this.expr(e.left);
    const right = this.expr(e.right);
    switch (e.op) {
      case "==":
      case "equals":
        return equals(left, right);
      case "!=":
        return !equals(left, right);
      case "<":
      case ">":
      case "<=":
      case ">=":
        return compareNumbers(e.op, left, right);
      case "~":
        return this.checkSize(this.text(left) + this.text(right));
      case "+":
        if (typeof left === "string" || typeof right === "string" || left instanceof JChar || right instanceof JChar) {
          return this.checkSize(javaToString(left) + javaToString(right));
        }
        if (Array.isArray(left)) return this.checkList(addToList(left, right));
        return numericOp("+", left, right);
      case "-":
        if (Array.isArray(left)) return subtractFromList(left, right);
        return numericOp("-", left, right);
      case "*":
      case "/":
      case "%":
        return numericOp(e.op, left, right);
      case "..":
        return this.range(left, right);
      case "contains":
        return contains(left, right);
      case "isIn":
        return isIn(left, right);
    }
    throw new EvalError(`unknown operator '${e.op}'`);
  }

  range(from: unknown, to: unknown, step: unknown = 1): unknown[] {
    return pebbleRange(from, to, step, this.limits.maxRangeSize);
  }

  private checkList(list: unknown[]): unknown[] {
    checkCollectionSize(list.length, this.limits);
    return list;
  }

  args(args: Args): CallArgs {
    const named: Record<string, unknown> = {};
    for (const [k, v] of args.named) named[k] = this.expr(v);
    return makeArgs(
      args.positional.map((p) => this.expr(p)),
      named,
    );
  }

  private context(): CallContext {
    return {
      vars: this.vars,
      services: this.services,
      limits: this.limits,
      signal: this.state.signal,
      checkBudget: () => checkBudget(this.state),
      resolve: <T>(key: string, load: () => Promise<T>): T => {
        const hit = this.state.memo.get(key);
        if (hit) {
          if ("error" in hit) throw hit.error;
          return hit.value as T;
        }
        throw new PendingValue(key, load);
      },
      render: (template, vars) => {
        if (++this.state.depth > this.limits.maxDepth)
          throw new EvalError(`render() nested more than ${this.limits.maxDepth} levels`);
        try {
          return this.renderNested(template, vars ?? this.vars, this.state);
        } finally {
          this.state.depth--;
        }
      },
      renderBlock: (name) => {
        const block = this.template.blocks.get(name);
        if (!block) throw new EvalError(`Unknown block '${name}'`);
        return this.sub().collect(block);
      },
    };
  }

  private call(name: string, args: Args): unknown {
    const macro = this.template.macros.get(name);
    if (macro) return this.callMacro(macro, this.args(args));
    const fn = this.registry.functions.get(name);
    if (!fn) throw new EvalError(`Unknown function '${name}'`);
    return this.checkResult(fn.call(this.args(args), this.context()));
  }

  /** A filter's or function's result against the memory and time budgets. */
  private checkResult(result: unknown): unknown {
    checkBudget(this.state);
    if (typeof result === "string") this.checkSize(result);
    else if (Array.isArray(result)) checkCollectionSize(result.length, this.limits);
    return result;
  }

  private callMacro(macro: Extract<Node, { type: "macro" }>, args: CallArgs): unknown {
    checkBudget(this.state);
    if (++this.state.depth > this.limits.maxDepth)
      throw new EvalError(`macros nested more than ${this.limits.maxDepth} levels`);
    try {
      const inner = new Evaluation(
        this.template,
        this.vars,
        this.registry,
        this.services,
        this.limits,
        this.state,
        this.renderNested,
        true,
      );
      const scope = inner.scopes[0]!;
      macro.params.forEach((p, i) => {
        const given = args.has(p.name, i) ? args.get(p.name, i) : undefined;
        scope.set(p.name, given !== undefined ? given : p.defaultValue ? inner.expr(p.defaultValue) : null);
      });
      return inner.collect(macro.body);
    } finally {
      this.state.depth--;
    }
  }

  private filter(e: Extract<Expr, { type: "filter" }>): unknown {
    const def = this.registry.filters.get(e.name);
    if (!def) throw new EvalError(`Unknown filter '${e.name}'`);
    let input: unknown;
    try {
      input = this.expr(e.input);
    } catch (error) {
      if (!(error instanceof NotFound) || !def.acceptsUndefined) throw error;
      input = undefined;
    }
    return this.applyFilter(e.name, input, this.args(e.args));
  }

  private applyFilter(name: string, input: unknown, args: CallArgs): unknown {
    const def = this.registry.filters.get(name);
    if (!def) throw new EvalError(`Unknown filter '${name}'`);
    return this.checkResult(def.call(input, args, this.context()));
  }

  private test(e: Extract<Expr, { type: "test" }>): boolean {
    const def = this.registry.tests.get(e.name);
    if (!def) throw new EvalError(`Unknown test '${e.name}'`);
    let input: unknown;
    let missing = false;
    try {
      input = this.expr(e.input);
    } catch (error) {
      if (!(error instanceof NotFound) || !def.acceptsUndefined) throw error;
      missing = true;
    }
    const result = missing ? false : def.call(input, this.args(e.args), this.context());
    return e.negated ? !result : result;
  }
}

/** Fails when a list of `size` items would pass the collection budget. */
export function checkCollectionSize(size: number, limits: RenderLimits): void {
  if (size > limits.maxCollectionSize)
    throw new EvalError(`a list of ${size} items exceeds the limit of ${limits.maxCollectionSize}`);
}

/** A new render state whose time budget starts now. */
export function startState(
  limits: RenderLimits,
  memo: RenderState["memo"] = new Map(),
  signal?: Abortable,
): RenderState {
  const now = performance.now();
  return {
    iterations: 0,
    depth: 0,
    clock: { started: now, last: now, active: 0, timeoutMs: limits.evaluationTimeoutMs },
    signal,
    memo,
  };
}

/** Time spent evaluating, measured between budget checks (`performance.now()` clock). */
export interface BudgetClock {
  readonly started: number;
  last: number;
  active: number;
  readonly timeoutMs: number;
}

/** The most one gap between two budget checks counts for: a longer one is a pause (GC, a busy machine) or one bounded step. */
const MAX_GAP_MS = 10;

/**
 * Fails the render when its synchronous time budget is spent. Evaluation time is the sum of the
 * gaps between checks (every node, loop iteration, call and regex match checks), each counted
 * for at most 10 ms, so that a garbage-collection pause does not fail a small template; whatever
 * the pauses, an evaluation stops at ten times its budget of wall-clock time.
 */
export function checkBudget(state: RenderState): void {
  const clock = state.clock;
  const now = performance.now();
  clock.active += Math.min(now - clock.last, MAX_GAP_MS);
  clock.last = now;
  if (clock.active > clock.timeoutMs || now - clock.started > 10 * clock.timeoutMs) {
    throw new BudgetError(
      `the expression ran longer than its time budget of ${clock.timeoutMs} ms (expressions.evaluationTimeoutMs)`,
    );
  }
}

/** `object.name` / `object[name]`: own data only. */
export function attribute(object: unknown, name: string): unknown {
  if (object === null || object === undefined) throw new NotFound(name, true);
  if (Array.isArray(object)) {
    if (/^\d+$/.test(name)) {
      const i = Number(name);
      if (i < object.length) return object[i];
    }
    throw new NotFound(name);
  }
  if (isMap(object) && Object.hasOwn(object, name)) return object[name];
  throw new NotFound(name, false, isMap(object) ? fetchTypeHint(object, name) : undefined);
}

const RESULT_ATTRIBUTES: Readonly<Record<string, string>> = { STORE: "uri", FETCH: "rows", FETCH_ONE: "row" };

/**
 * Query tasks (JDBC and others) say in `fetchType` where their result went: reading `value`,
 * `row` or `rows` of a STORE result (or `uri` of a fetched one) names the attribute that holds it.
 */
function fetchTypeHint(outputs: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const fetchType = outputs.fetchType;
  if (typeof fetchType !== "string" || !["value", "row", "rows", "uri"].includes(name)) return undefined;
  const holder = RESULT_ATTRIBUTES[fetchType];
  if (fetchType === "STORE")
    return `the result was stored in internal storage (fetchType: STORE): read it from \`${holder}\` (a kestra:// URI, e.g. with read() or a storage task)`;
  if (holder)
    return `the result was fetched (fetchType: ${fetchType}), not stored: it is in \`${holder}\`; use fetchType: STORE to get a \`uri\``;
  return `the task ran with fetchType: ${fetchType} and has no result`;
}

/**
 * Java's `Object.equals`, as `contains` compares (unlike `==`, which widens numbers): an integer
 * never equals a double. (Saker does not tell Integer from Long, so those stay equal.)
 */
function sameItem(a: unknown, b: unknown): boolean {
  if (isNumeric(a) && isNumeric(b) && isFloating(a) !== isFloating(b)) return false;
  return equals(a, b);
}

function contains(container: unknown, item: unknown): boolean {
  if (container === null || container === undefined) return false;
  if (Array.isArray(container)) {
    // Pebble: a list on the right asks for every one of its items (containsAll).
    if (Array.isArray(item)) return item.every((wanted) => container.some((x) => sameItem(x, wanted)));
    return container.some((x) => sameItem(x, item));
  }
  if (typeof container === "string") return container.includes(item instanceof JChar ? item.char : javaToString(item));
  // Map keys are strings: a number or a character is never one (Map.containsKey).
  if (isMap(container)) return typeof item === "string" && Object.hasOwn(container, item);
  throw new EvalError(`contains needs a list, a map or a string, got ${describe(container)}`);
}

export function describe(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return "a list";
  if (isMap(value)) return "a map";
  if (isNumeric(value)) return `the number ${numberToString(value)}`;
  if (typeof value === "boolean") return `the boolean ${value}`;
  return `'${javaToString(value)}'`;
}
