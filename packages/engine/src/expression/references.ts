/**
 * Which entries of two context maps (`outputs`, `tasks`: maps keyed by task id) a template can
 * read, as its parsed form says: `outputs.<id>` and `outputs['<id>']` name one entry; any other
 * use of the map (alone, a computed key, a loop over it) and the functions that read the whole
 * context (`render` of some other text, `printContext()`, `fetchContext()`) reach every entry;
 * `tasksWithState()` reaches every `tasks` entry.
 *
 * Text may become a template later (a task that renders a rendered spec, a `{% raw %}` block):
 * text holding a tag is read as the words it contains, and text without one can still name an
 * entry as `outputs.<id>`, so a text naming a map is taken at its word, conservatively.
 */
import type { Args, Expr, Node } from "./ast.ts";
import { parseTemplate } from "./parser.ts";

/** The entries a template reaches, per map: "all", or these keys. */
export type Reached = "all" | Set<string>;

export interface References {
  outputs: Reached;
  tasks: Reached;
}

const WHOLE_CONTEXT = new Set(["render", "printContext", "fetchContext"]);

/**
 * What each string reaches, kept for up to 4000 strings of up to `CACHED_LENGTH` characters: the keys and
 * templates of a flow's tasks (`id`, `type`, `{{ task.id }}`) repeat from task to task.
 */
const byString = new Map<string, References>();
const CACHED_STRINGS = 4000;
const CACHED_LENGTH = 2048;

export class ReferenceCollector {
  readonly reached: References = { outputs: new Set(), tasks: new Set() };

  /** True once both maps are reached whole: nothing more to learn. */
  get saturated(): boolean {
    return this.reached.outputs === "all" && this.reached.tasks === "all";
  }

  /** Adds what a string reaches (a template, or text). */
  addString(source: string): void {
    if (this.saturated) return;
    if (source.length > CACHED_LENGTH) return this.addStringOnce(source);
    let known = byString.get(source);
    if (!known) {
      const collector = new ReferenceCollector();
      collector.addStringOnce(source);
      // bounded: emptied when full (a hit costs a lookup, not the reordering of an LRU)
      if (byString.size >= CACHED_STRINGS) byString.clear();
      byString.set(source, (known = collector.reached));
    }
    this.merge(known);
  }

  /** Adds what another collector reached (copied: `reached` is never shared). */
  private merge(other: References): void {
    for (const map of ["outputs", "tasks"] as const) {
      const keys = other[map];
      if (keys === "all") this.all(map);
      else for (const key of keys) this.name(map, key);
    }
  }

  private addStringOnce(source: string): void {
    if (!source.includes("{")) return this.addText(source);
    let nodes: Node[];
    try {
      nodes = parseTemplate(source).nodes;
    } catch {
      // not a template the engine can render: read as words, as text would be
      return this.addWords(source);
    }
    this.nodes(nodes);
  }

  private all(map: keyof References): void {
    this.reached[map] = "all";
  }

  private name(map: keyof References, key: string): void {
    const set = this.reached[map];
    if (set !== "all") set.add(key);
  }

  /** Text: a tag in it may be rendered later (read as words); else only `outputs.<id>` words. */
  private addText(text: string): void {
    if (text.includes("{{") || text.includes("{%")) return this.addWords(text);
    if (!namesAfter(text, "outputs", (k) => this.name("outputs", k))) this.all("outputs");
    if (!namesAfter(text, "tasks", (k) => this.name("tasks", k))) this.all("tasks");
  }

  /** Text read as words: any mention of a whole-context function reaches everything. */
  private addWords(text: string): void {
    if (/\b(render|printContext|fetchContext)/.test(text)) {
      this.all("outputs");
      this.all("tasks");
    }
    if (/\btasksWithState\b/.test(text)) this.all("tasks");
    if (!namesAfter(text, "outputs", (k) => this.name("outputs", k))) this.all("outputs");
    if (!namesAfter(text, "tasks", (k) => this.name("tasks", k))) this.all("tasks");
  }

  private nodes(nodes: readonly Node[] | undefined): void {
    for (const node of nodes ?? []) {
      switch (node.type) {
        case "text":
          this.addText(node.text);
          break;
        case "print":
          this.expr(node.expr);
          break;
        case "if":
          for (const branch of node.branches) {
            this.expr(branch.condition);
            this.nodes(branch.body);
          }
          this.nodes(node.otherwise);
          break;
        case "for":
          this.expr(node.iterable);
          this.nodes(node.body);
          this.nodes(node.otherwise);
          break;
        case "set":
          this.expr(node.value);
          break;
        case "filterBlock":
          for (const filter of node.filters) this.args(filter.args);
          this.nodes(node.body);
          break;
        case "macro":
          for (const param of node.params) if (param.defaultValue) this.expr(param.defaultValue);
          this.nodes(node.body);
          break;
        case "block":
          this.nodes(node.body);
          break;
      }
    }
  }

  private args(args: Args): void {
    for (const arg of args.positional) this.expr(arg);
    for (const [, arg] of args.named) this.expr(arg);
  }

  private expr(e: Expr): void {
    switch (e.type) {
      case "literal":
        if (typeof e.value === "string") this.addText(e.value);
        return;
      case "var":
        if (e.name === "outputs" || e.name === "tasks") this.all(e.name);
        return;
      case "attr":
        if (e.object.type === "var" && (e.object.name === "outputs" || e.object.name === "tasks"))
          return this.name(e.object.name, e.name);
        return this.expr(e.object);
      case "index":
        if (
          e.object.type === "var" &&
          (e.object.name === "outputs" || e.object.name === "tasks") &&
          e.index.type === "literal" &&
          typeof e.index.value === "string"
        )
          return this.name(e.object.name, e.index.value);
        this.expr(e.object);
        return this.expr(e.index);
      case "list":
        for (const item of e.items) this.expr(item);
        return;
      case "map":
        for (const [key, value] of e.entries) {
          this.expr(key);
          this.expr(value);
        }
        return;
      case "unary":
        return this.expr(e.operand);
      case "binary":
        this.expr(e.left);
        return this.expr(e.right);
      case "ternary":
        this.expr(e.condition);
        this.expr(e.then);
        return this.expr(e.else);
      case "call":
        if (WHOLE_CONTEXT.has(e.name)) {
          this.all("outputs");
          this.all("tasks");
        } else if (e.name === "tasksWithState") this.all("tasks");
        return this.args(e.args);
      case "filter":
      case "test":
        this.expr(e.input);
        return this.args(e.args);
      case "concat":
        for (const part of e.parts) this.expr(part);
        return;
    }
  }
}

/**
 * Calls `name` with the key named after each `word` in `text` (after a dot, or quoted in
 * brackets); false when one mention names none.
 */
function namesAfter(text: string, word: string, name: (key: string) => void): boolean {
  if (!text.includes(word)) return true;
  const pattern = new RegExp(`\\b${word}\\b`, "g");
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    const rest = text.slice(match.index + word.length);
    const dotted = /^\s*\.\s*([\w-]+)/.exec(rest);
    const bracketed = /^\s*\[\s*(['"])([^'"]*)\1\s*\]/.exec(rest);
    const key = dotted?.[1] ?? bracketed?.[2];
    if (key === undefined) return false;
    name(key);
    // `outputs.a-b` may be read as `outputs.a - b`
    const head = /^\w+/.exec(key)?.[0];
    if (head !== undefined) name(head);
  }
  return true;
}
