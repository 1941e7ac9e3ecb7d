/**
 * Parses scanned segments into an AST. Expressions use Pebble's precedences: or 10, and 15,
 * is/contains/isIn 20, comparisons 30, + - 40, * / % 60, | (filter) 100, ~ 110, .. and Kestra's
 * ?? / ??? 120, unary not/+/- 500, then the ternary `? :`.
 */
import type { Args, Expr, Node, Template } from "./ast.ts";
import { ExpressionError } from "./errors.ts";
import { scan, tokenizeExpression, type Segment, type Token } from "./lexer.ts";
import { jdouble } from "./values.ts";

const BINARY: Record<string, number> = {
  or: 10,
  and: 15,
  is: 20,
  contains: 20,
  isIn: 20,
  "==": 30,
  "!=": 30,
  "<": 30,
  ">": 30,
  "<=": 30,
  ">=": 30,
  equals: 30,
  "+": 40,
  "-": 40,
  "*": 60,
  "/": 60,
  "%": 60,
  "|": 100,
  "~": 110,
  "..": 120,
  "??": 120,
  "???": 120,
};
const UNARY_PRECEDENCE = 500;
const REMOVED_TAGS = new Set([
  "autoescape",
  "extends",
  "embed",
  "flush",
  "import",
  "include",
  "parallel",
  "cache",
  "from",
]);

class Parser {
  private i = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly template: string,
  ) {}

  private peek(offset = 0): Token {
    return this.tokens[this.i + offset] ?? this.tokens[this.tokens.length - 1]!;
  }

  private next(): Token {
    return this.tokens[this.i++] ?? this.tokens[this.tokens.length - 1]!;
  }

  fail(message: string, token: Token = this.peek()): never {
    throw new ExpressionError(`${message} (line ${token.line}, column ${token.column})`, {
      syntax: true,
      line: token.line,
      column: token.column,
      template: this.template,
    });
  }

  private is(value: string, type?: Token["type"]): boolean {
    const t = this.peek();
    return t.value === value && (type === undefined || t.type === type) && t.type !== "string";
  }

  expect(value: string): Token {
    if (!this.is(value)) this.fail(`Expected '${value}' but found '${this.describe(this.peek())}'`);
    return this.next();
  }

  private describe(t: Token): string {
    return t.type === "end" ? "end of tag" : t.type === "string" ? `'${t.value}'` : t.value;
  }

  atEnd(): boolean {
    return this.peek().type === "end";
  }

  name(): string {
    const t = this.next();
    if (t.type !== "name") this.fail(`Expected a name but found '${this.describe(t)}'`, t);
    return t.value;
  }

  expression(): Expr {
    const condition = this.binary(0);
    if (this.is("?", "op")) {
      const t = this.next();
      const then = this.expression();
      this.expect(":");
      const otherwise = this.expression();
      return { type: "ternary", condition, then, else: otherwise, line: t.line };
    }
    return condition;
  }

  private binaryOp(): string | undefined {
    const t = this.peek();
    if (t.type === "op" || t.type === "name") return t.value in BINARY ? t.value : undefined;
    return undefined;
  }

  binary(min: number): Expr {
    let left = this.unary();
    for (;;) {
      const op = this.binaryOp();
      if (op === undefined || BINARY[op]! < min) return left;
      const precedence = BINARY[op]!;
      const t = this.next();
      if (op === "|") left = this.filter(left, t);
      else if (op === "is") left = this.test(left, t);
      else left = { type: "binary", op, left, right: this.binary(precedence + 1), line: t.line };
    }
  }

  private filter(input: Expr, t: Token): Expr {
    const name = this.name();
    return {
      type: "filter",
      input,
      name,
      args: this.is("(", "punct") ? this.args() : { positional: [], named: [] },
      line: t.line,
    };
  }

  private test(input: Expr, t: Token): Expr {
    const negated = this.is("not", "name");
    if (negated) this.next();
    const name = this.name();
    const args = this.is("(", "punct") ? this.args() : { positional: [], named: [] };
    return { type: "test", input, name, args, negated, line: t.line };
  }

  private unary(): Expr {
    const t = this.peek();
    if ((t.type === "name" && t.value === "not") || (t.type === "op" && (t.value === "-" || t.value === "+"))) {
      this.next();
      const operand = this.binary(UNARY_PRECEDENCE);
      return { type: "unary", op: t.value as "not" | "-" | "+", operand, line: t.line };
    }
    return this.postfix(this.primary());
  }

  private primary(): Expr {
    const t = this.next();
    switch (t.type) {
      case "number":
        return {
          type: "literal",
          value: t.value.includes(".") ? jdouble(Number(t.value)) : Number(t.value),
          line: t.line,
        };
      case "string":
        if (t.parts) {
          const parts = t.parts.map((p): Expr =>
            p.expression !== undefined
              ? parseExpressionText(p.expression, p.line ?? t.line, p.column ?? t.column, this.template)
              : { type: "literal", value: p.text, line: t.line },
          );
          return { type: "concat", parts, line: t.line };
        }
        return { type: "literal", value: t.value, line: t.line };
      case "name":
        if (t.value === "true" || t.value === "false")
          return { type: "literal", value: t.value === "true", line: t.line };
        if (t.value === "null" || t.value === "none") return { type: "literal", value: null, line: t.line };
        if (this.is("(", "punct")) return { type: "call", name: t.value, args: this.args(), line: t.line };
        return { type: "var", name: t.value, line: t.line };
      case "punct":
        if (t.value === "(") {
          const inner = this.expression();
          this.expect(")");
          return inner;
        }
        if (t.value === "[") return this.list(t);
        if (t.value === "{") return this.map(t);
        break;
      default:
        break;
    }
    return this.fail(`Unexpected '${this.describe(t)}'`, t);
  }

  private list(t: Token): Expr {
    const items: Expr[] = [];
    while (!this.is("]", "punct")) {
      items.push(this.expression());
      if (!this.is("]", "punct")) this.expect(",");
    }
    this.next();
    return { type: "list", items, line: t.line };
  }

  private map(t: Token): Expr {
    const entries: [Expr, Expr][] = [];
    while (!this.is("}", "punct")) {
      const key = this.expression();
      this.expect(":");
      entries.push([key, this.expression()]);
      if (!this.is("}", "punct")) this.expect(",");
    }
    this.next();
    return { type: "map", entries, line: t.line };
  }

  private postfix(expr: Expr): Expr {
    let e = expr;
    for (;;) {
      if (this.is(".", "op")) {
        const dot = this.next();
        const t = this.next();
        if (t.type !== "name" && t.type !== "number") this.fail(`Expected an attribute name after '.'`, t);
        if (this.is("(", "punct")) this.fail(`Method calls are not allowed ('${t.value}(…)')`, t);
        e = { type: "attr", object: e, name: t.value, line: dot.line };
      } else if (this.is("[", "punct")) {
        const open = this.next();
        const index = this.expression();
        this.expect("]");
        e = { type: "index", object: e, index, line: open.line };
      } else return e;
    }
  }

  args(): Args {
    this.expect("(");
    const args: Args = { positional: [], named: [] };
    while (!this.is(")", "punct")) {
      if (this.peek().type === "name" && this.peek(1).value === "=" && this.peek(1).type === "op") {
        const name = this.next().value;
        this.next();
        args.named.push([name, this.expression()]);
      } else {
        if (args.named.length) this.fail("Positional arguments must come before named ones");
        args.positional.push(this.expression());
      }
      if (!this.is(")", "punct")) this.expect(",");
    }
    this.next();
    return args;
  }

  /** A macro's parameters: names, some with `= default`, in any order. */
  params(): { name: string; defaultValue: Expr | undefined }[] {
    this.expect("(");
    const params: { name: string; defaultValue: Expr | undefined }[] = [];
    while (!this.is(")", "punct")) {
      const name = this.name();
      let defaultValue: Expr | undefined;
      if (this.is("=", "op")) {
        this.next();
        defaultValue = this.expression();
      }
      params.push({ name, defaultValue });
      if (!this.is(")", "punct")) this.expect(",");
    }
    this.next();
    return params;
  }

  check(value: string, type?: Token["type"]): boolean {
    return this.is(value, type);
  }
}

export function parseExpressionText(source: string, line: number, column: number, template: string): Expr {
  const parser = new Parser(tokenizeExpression(source, line, column, template), template);
  const expr = parser.expression();
  if (!parser.atEnd()) parser.fail("Unexpected token after expression");
  return expr;
}

interface Frame {
  tag: string;
  line: number;
  column: number;
}

/** Turns segments into nodes, matching `{% if %}…{% endif %}` and friends. */
class TemplateParser {
  private i = 0;
  readonly macros: Template["macros"] = new Map();
  readonly blocks: Template["blocks"] = new Map();
  constructor(
    private readonly segments: Segment[],
    private readonly template: string,
  ) {}

  parse(): Node[] {
    const { nodes, stop } = this.body([]);
    if (stop) this.fail(`Unexpected tag '${stop.tag}'`, stop);
    return nodes;
  }

  private fail(message: string, at: { line: number; column: number }): never {
    throw new ExpressionError(`${message} (line ${at.line}, column ${at.column})`, {
      syntax: true,
      line: at.line,
      column: at.column,
      template: this.template,
    });
  }

  /** Reads nodes until one of `stops` (returned with its parser, positioned after the tag name). */
  private body(stops: string[]): { nodes: Node[]; stop?: Frame & { parser: Parser } } {
    const nodes: Node[] = [];
    while (this.i < this.segments.length) {
      const segment = this.segments[this.i++]!;
      if (segment.kind === "text") nodes.push({ type: "text", text: segment.text });
      else if (segment.kind === "print") {
        const parser = new Parser(segment.tokens, this.template);
        const expr = parser.expression();
        if (!parser.atEnd()) parser.fail("Unexpected token in print tag");
        nodes.push({ type: "print", expr, source: segment.source, line: segment.line });
      } else {
        const parser = new Parser(segment.tokens, this.template);
        const tag = parser.name();
        if (stops.includes(tag)) return { nodes, stop: { tag, line: segment.line, column: segment.column, parser } };
        nodes.push(this.tag(tag, parser, segment));
      }
    }
    return { nodes };
  }

  private block(stops: string[], opened: Frame): { nodes: Node[]; stop: Frame & { parser: Parser } } {
    const { nodes, stop } = this.body(stops);
    if (!stop) this.fail(`Unclosed '${opened.tag}': expected {% ${stops[stops.length - 1]} %}`, opened);
    return { nodes, stop };
  }

  private endOfTag(parser: Parser): void {
    if (!parser.atEnd()) parser.fail("Unexpected token at the end of the tag");
  }

  private tag(tag: string, parser: Parser, segment: Extract<Segment, { kind: "tag" }>): Node {
    const at = { tag, line: segment.line, column: segment.column };
    switch (tag) {
      case "if": {
        const branches: { condition: import("./ast.ts").Expr; body: Node[] }[] = [];
        let condition = parser.expression();
        this.endOfTag(parser);
        let otherwise: Node[] | undefined;
        for (;;) {
          const { nodes, stop } = this.block(["elseif", "else", "endif"], at);
          if (otherwise !== undefined) {
            if (stop.tag !== "endif") this.fail(`Unexpected '${stop.tag}' after else`, stop);
            otherwise = nodes;
            this.endOfTag(stop.parser);
            break;
          }
          branches.push({ condition, body: nodes });
          if (stop.tag === "endif") {
            this.endOfTag(stop.parser);
            break;
          }
          if (stop.tag === "else") {
            this.endOfTag(stop.parser);
            otherwise = [];
          } else {
            condition = stop.parser.expression();
            this.endOfTag(stop.parser);
          }
        }
        return { type: "if", branches, otherwise, line: segment.line, source: segment.source };
      }
      case "for": {
        const variable = parser.name();
        if (parser.name() !== "in") parser.fail("Expected 'in'");
        const iterable = parser.expression();
        this.endOfTag(parser);
        const first = this.block(["else", "endfor"], at);
        let otherwise: Node[] | undefined;
        if (first.stop.tag === "else") {
          this.endOfTag(first.stop.parser);
          const second = this.block(["endfor"], at);
          this.endOfTag(second.stop.parser);
          otherwise = second.nodes;
        } else this.endOfTag(first.stop.parser);
        return {
          type: "for",
          variable,
          iterable,
          body: first.nodes,
          otherwise,
          line: segment.line,
          source: segment.source,
        };
      }
      case "set": {
        const name = parser.name();
        parser.expect("=");
        const value = parser.expression();
        this.endOfTag(parser);
        return { type: "set", name, value, line: segment.line, source: segment.source };
      }
      case "filter": {
        const filters: { name: string; args: import("./ast.ts").Args }[] = [];
        do {
          const name = parser.name();
          filters.push({ name, args: parser.check("(", "punct") ? parser.args() : { positional: [], named: [] } });
        } while (!parser.atEnd() && parser.expect("|"));
        const { nodes, stop } = this.block(["endfilter"], at);
        this.endOfTag(stop.parser);
        return { type: "filterBlock", filters, body: nodes, line: segment.line, source: segment.source };
      }
      case "macro": {
        const name = parser.name();
        const params = parser.params();
        this.endOfTag(parser);
        const { nodes, stop } = this.block(["endmacro"], at);
        this.endOfTag(stop.parser);
        const macro = { type: "macro" as const, name, params, body: nodes, line: segment.line };
        this.macros.set(name, macro);
        return macro;
      }
      case "block": {
        const t = parser.expression();
        if (t.type !== "literal" && t.type !== "var") parser.fail("Expected a block name");
        const name = t.type === "literal" ? String(t.value) : t.name;
        this.endOfTag(parser);
        const { nodes } = this.block(["endblock"], at);
        this.blocks.set(name, nodes);
        return { type: "block", name, body: nodes, line: segment.line };
      }
      default:
        if (REMOVED_TAGS.has(tag)) this.fail(`The tag '${tag}' is not available in Kestra expressions`, at);
        return this.fail(`Unknown tag '${tag}'`, at);
    }
  }
}

export function parseTemplate(source: string): Template {
  const segments = scan(source);
  const parser = new TemplateParser(segments, source);
  const nodes = parser.parse();
  const single = segments.length === 1 && segments[0]!.kind === "print";
  return { nodes, macros: parser.macros, blocks: parser.blocks, source, single };
}
