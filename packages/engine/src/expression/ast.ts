/** The parsed form of a template: statements holding expressions, each with its line. */

export type Expr =
  | { type: "literal"; value: unknown; line: number }
  | { type: "var"; name: string; line: number }
  | { type: "attr"; object: Expr; name: string; line: number }
  | { type: "index"; object: Expr; index: Expr; line: number }
  | { type: "list"; items: Expr[]; line: number }
  | { type: "map"; entries: [Expr, Expr][]; line: number }
  | { type: "unary"; op: "not" | "-" | "+"; operand: Expr; line: number }
  | { type: "binary"; op: string; left: Expr; right: Expr; line: number }
  | { type: "ternary"; condition: Expr; then: Expr; else: Expr; line: number }
  | { type: "call"; name: string; args: Args; line: number }
  | { type: "filter"; input: Expr; name: string; args: Args; line: number }
  | { type: "test"; input: Expr; name: string; args: Args; negated: boolean; line: number }
  | { type: "concat"; parts: Expr[]; line: number };

export interface Args {
  positional: Expr[];
  named: [string, Expr][];
}

export type Node =
  | { type: "text"; text: string }
  | { type: "print"; expr: Expr; source: string; line: number }
  | {
      type: "if";
      branches: { condition: Expr; body: Node[] }[];
      otherwise: Node[] | undefined;
      line: number;
      source: string;
    }
  | {
      type: "for";
      variable: string;
      iterable: Expr;
      body: Node[];
      otherwise: Node[] | undefined;
      line: number;
      source: string;
    }
  | { type: "set"; name: string; value: Expr; line: number; source: string }
  | { type: "filterBlock"; filters: { name: string; args: Args }[]; body: Node[]; line: number; source: string }
  | {
      type: "macro";
      name: string;
      params: { name: string; defaultValue: Expr | undefined }[];
      body: Node[];
      line: number;
    }
  | { type: "block"; name: string; body: Node[]; line: number };

export interface Template {
  nodes: Node[];
  /** Macros and blocks declared anywhere in the template, by name. */
  macros: Map<string, Extract<Node, { type: "macro" }>>;
  blocks: Map<string, Node[]>;
  source: string;
  /** The template is exactly one `{{ expression }}` (typed rendering returns its value). */
  single: boolean;
}
