import { afterEach, describe, expect, it } from "vitest";
import { checkData, DEFAULT_DATA_LIMITS, parseJsonData, parseYamlData, setDataLimits } from "./dataLimits.ts";

const LAUGHS = `a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
`;

function mergeChain(levels: number): string {
  let text = "a0: &a0 {x: 1}\n";
  for (let i = 1; i < levels; i++) text += `a${i}: &a${i}\n  <<: [*a${i - 1}, *a${i - 1}]\n  k${i}: ${i}\n`;
  return text;
}

afterEach(() => setDataLimits(DEFAULT_DATA_LIMITS));

describe("YAML limits", () => {
  it("refuses an alias bomb and a merge-key chain, naming the limit", () => {
    expect(() => parseYamlData(LAUGHS, "flow")).toThrow("flow: too many alias expansions (limit maxAliases = 100)");
    expect(() => parseYamlData(mergeChain(30), "flow")).toThrow(/limit maxAliases = 100/);
  });

  it("keeps a few aliases", () => {
    expect(parseYamlData("a: &x {k: 1}\nb: *x\nc: [*x, *x]", "flow")).toEqual({
      a: { k: 1 },
      b: { k: 1 },
      c: [{ k: 1 }, { k: 1 }],
    });
  });

  it("refuses deep nesting, flow or block style, without overflowing the stack", () => {
    const flow = `${"[".repeat(10_000)}${"]".repeat(10_000)}`;
    expect(() => parseYamlData(flow, "the YAML value")).toThrow(/limit maxDepth = 200/);
    let block = "";
    for (let i = 0; i < 300; i++) block += `${" ".repeat(i)}k:\n`;
    expect(() => parseYamlData(block, "flow")).toThrow(/nested deeper than 200 levels .*limit maxDepth = 200/);
  });

  it("refuses a recursive alias", () => {
    expect(() => parseYamlData("a: &x [1, *x]", "the YAML value")).toThrow(
      "the YAML value: a recursive alias at a[1] refers to itself",
    );
  });

  it("refuses keys that reach a prototype, naming their path", () => {
    expect(() => parseYamlData("id: x\n__proto__:\n  disabled: true", "flow")).toThrow(
      "flow: the key '__proto__' at __proto__ is not allowed",
    );
    expect(() => parseYamlData("tasks:\n  - id: a\n    constructor: 1", "flow")).toThrow(
      "the key 'constructor' at tasks[0].constructor",
    );
  });

  it("refuses YAML text over maxYamlBytes", () => {
    setDataLimits({ maxYamlBytes: 1024 });
    expect(() => parseYamlData(`a: "${"x".repeat(2000)}"`, "flow")).toThrow(
      "flow: YAML text larger than 1024 bytes (limit maxYamlBytes = 1024)",
    );
    expect(parseYamlData("a: 1", "flow")).toEqual({ a: 1 });
  });

  it("follows the configured limits", () => {
    setDataLimits({ maxDepth: 8 });
    expect(() => parseYamlData("a: {b: {c: {d: {e: {f: {g: {h: {i: {j: 1}}}}}}}}}", "flow")).toThrow(
      /limit maxDepth = 8/,
    );
    setDataLimits({ maxAliases: 0 });
    expect(() => parseYamlData("a: &x 1\nb: *x", "flow")).toThrow(/limit maxAliases = 0/);
  });
});

describe("JSON limits", () => {
  it("refuses 10,000 levels before parsing, and counts brackets inside strings as text", () => {
    expect(() => parseJsonData(`${"[".repeat(10_000)}${"]".repeat(10_000)}`, "The request body")).toThrow(
      "The request body: nested deeper than 200 levels (limit maxDepth = 200)",
    );
    expect(parseJsonData(JSON.stringify({ text: "[".repeat(1000), q: 'say "[{"' }), "body")).toEqual({
      text: "[".repeat(1000),
      q: 'say "[{"',
    });
  });

  it("refuses __proto__, constructor and prototype keys", () => {
    expect(() => parseJsonData('{"a": [{"__proto__": {"x": 1}}]}', "The request body")).toThrow(
      "The request body: the key '__proto__' at a[0].__proto__ is not allowed",
    );
    expect(() => checkData({ prototype: 1 }, "value")).toThrow(/'prototype'/);
  });

  it("keeps syntax errors as SyntaxError", () => {
    expect(() => parseJsonData("{oops", "body")).toThrow(SyntaxError);
  });
});
