import { describe, expect, it } from "vitest";
import { isSakerError } from "@saker/sdk";
import { createExpressionEngine, defaultEngine, ExpressionError, isTruthy, renderTemplate } from "./index.ts";

const render = (template: string, vars: Record<string, unknown> = {}) => defaultEngine.render(template, vars);

function failure(template: string, vars: Record<string, unknown> = {}): ExpressionError {
  try {
    render(template, vars);
  } catch (error) {
    if (error instanceof ExpressionError) return error;
    throw new Error(`expected an ExpressionError, got ${String(error)}`, { cause: error });
  }
  throw new Error(`expected '${template}' to fail`);
}

describe("syntax errors name the line and column", () => {
  it.each([
    ["{{ 1 +", "Unclosed tag: expected '}}' (line 1, column 7)"],
    ["a\nb {% if true %}x", "Unclosed 'if': expected {% endif %} (line 2, column 3)"],
    ["{{ 'abc }}", "Unclosed string literal (line 1, column 4)"],
    ["line1\n  {{ 1 ^ 2 }}", "Unexpected character '^' (line 2, column 8)"],
    ["{% frobnicate %}", "Unknown tag 'frobnicate' (line 1, column 1)"],
    ["{% include 'x' %}", "The tag 'include' is not available in Kestra expressions (line 1, column 1)"],
    ["{{ a ) }}", "Unexpected ')' (line 1, column 6)"],
    ["x{# never closed", "Unclosed comment (line 1, column 2)"],
  ])("%j", (template, message) => {
    const error = failure(template);
    expect(error.code).toBe("EXPRESSION_SYNTAX");
    expect(error.message).toBe(message);
    expect(error.details).toMatchObject({ line: expect.any(Number), column: expect.any(Number) });
  });

  it("reports unknown filters and functions at evaluation, naming them", () => {
    expect(failure("{{ 1 | nope }}").message).toContain("Unknown filter 'nope'");
    expect(failure("{{ nope() }}").message).toContain("Unknown function 'nope'");
  });
});

describe("strict variables", () => {
  it("names the variable, the template and the line", () => {
    const error = failure("first line\n{{ inputs.missing }}", { inputs: {} });
    expect(error.code).toBe("EXPRESSION_ERROR");
    expect(error.message).toBe(
      "Unable to find `missing` used in the expression `first line\n{{ inputs.missing }}` at line 2",
    );
    expect(isSakerError(error)).toBe(true);
  });
});

describe("safety: only data is reachable", () => {
  it.each([
    ["{{ x.constructor }}", { x: {} }],
    ["{{ x.__proto__ }}", { x: {} }],
    ["{{ x['constructor'] }}", { x: {} }],
    ["{{ x.toString }}", { x: {} }],
    ["{{ s.length }}", { s: "abc" }],
    ["{{ s.constructor }}", { s: "abc" }],
    ["{{ l.push }}", { l: [1] }],
    ["{{ l.length }}", { l: [1] }],
    ["{{ n.toFixed }}", { n: 1 }],
    ["{{ x.hasOwnProperty }}", { x: { a: 1 } }],
  ])("%s is an undefined-attribute error", (template, vars) => {
    expect(failure(template, vars).message).toMatch(/^Unable to find `/);
  });

  it("refuses method calls", () => {
    expect(failure("{{ s.toUpperCase() }}", { s: "a" }).message).toContain("Method calls are not allowed");
  });

  it("keeps a __proto__ key of a map literal as data", () => {
    expect(render("{{ {'__proto__': 1} | keys }}")).toBe('["__proto__"]');
    expect(render("{{ x.polluted ?? 'clean' }}", { x: {} })).toBe("clean");
  });

  it("never uses eval or new Function", async () => {
    const { readFileSync, readdirSync } = await import("node:fs");
    const { join } = await import("node:path");
    const dir = new URL(".", import.meta.url).pathname;
    const walk = (d: string): string[] =>
      readdirSync(d, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory()
          ? walk(join(d, e.name))
          : e.name.endsWith(".ts") && !e.name.endsWith(".test.ts")
            ? [join(d, e.name)]
            : [],
      );
    for (const file of walk(dir)) expect(readFileSync(file, "utf8"), file).not.toMatch(/\beval\(|new Function\(/);
  });
});

describe("limits stop runaway templates", () => {
  const engine = createExpressionEngine();
  it("stops loops past the iteration limit", () => {
    expect(() =>
      engine.render(
        "{% for i in 1..50 %}{% for j in 1..50 %}x{% endfor %}{% endfor %}",
        {},
        { limits: { maxIterations: 1000 } },
      ),
    ).toThrow(/more than 1000 loop iterations/);
  });
  it("stops output past the size limit", () => {
    expect(() =>
      engine.render(
        "{% for i in 1..100 %}{{ s }}{% endfor %}",
        { s: "x".repeat(1000) },
        { limits: { maxOutputSize: 10_000 } },
      ),
    ).toThrow(/output exceeds 10000 characters/);
  });
  it("stops strings built by concatenation past the size limit", () => {
    expect(() =>
      engine.render(
        "{% set s = 'ab' %}{% for i in 1..30 %}{% set s = s ~ s %}{% endfor %}",
        {},
        { limits: { maxOutputSize: 100_000 } },
      ),
    ).toThrow(/exceeds 100000 characters/);
  });
  it("refuses huge ranges", () => {
    expect(() => engine.render("{{ 1..10000000 }}", {})).toThrow(/exceeds the limit of 100000/);
  });
  it("stops runaway macro recursion", () => {
    expect(() => engine.render("{% macro r(n) %}{{ r(n) }}{% endmacro %}{{ r(1) }}", {})).toThrow(
      /nested more than 64 levels/,
    );
  });
});

describe("string and typed rendering", () => {
  it("prints maps and lists as JSON, doubles as Java does", () => {
    expect(render("{{ m }}|{{ 10 / 4.0 }}|{{ 10000000.0 }}", { m: { a: [1, "x"], n: null } })).toBe(
      '{"a":[1,"x"]}|2.5|1.0E7',
    );
  });

  it("returns native values in typed mode and strings otherwise", () => {
    expect(defaultEngine.render("{{ [1, {'a': true}] }}", {}, { typed: true })).toEqual([1, { a: true }]);
    expect(defaultEngine.render("{{ 3 / 2.0 }}", {}, { typed: true })).toBe(1.5);
    expect(defaultEngine.render("{{ [1] }}", {})).toBe("[1]");
  });

  it("renders maps and lists deeply, keys included, other scalars untouched", () => {
    expect(defaultEngine.renderValue({ "{{ k }}": ["{{ v }}", 3, true] }, { k: "key", v: "value" })).toEqual({
      key: ["value", 3, true],
    });
  });

  it("does not render output again (no recursive rendering)", () => {
    expect(render("{{ a }}", { a: "{{ b }}", b: "no" })).toBe("{{ b }}");
  });
});

describe("isTruthy (Kestra's TruthUtils)", () => {
  it.each([
    [null, false],
    ["", false],
    ["false", false],
    ["0", false],
    ["-0", false],
    ["true", true],
    ["False", true],
    [" ", true],
    ["1", true],
    ["no", true],
  ])("%j → %s", (value, expected) => expect(isTruthy(value)).toBe(expected));
});

describe("extensions and asynchronous values", () => {
  it("adds functions, filters and tests", () => {
    const engine = defaultEngine.extend({
      functions: { answer: { call: () => 42 } },
      filters: {
        shout: {
          call: (input, args) => `${String(input).toUpperCase()}${"!".repeat(Number(args.get("times", 0) ?? 1))}`,
        },
      },
      tests: { positive: { call: (input) => Number(input) > 0 } },
    });
    expect(engine.render("{{ answer() }} {{ 'hi' | shout(times=2) }} {{ 3 is positive }}", {})).toBe("42 HI!! true");
    expect(() => defaultEngine.render("{{ answer() }}", {})).toThrow(/Unknown function 'answer'/);
  });

  it("loads an asynchronous value once per render, through renderAsync", async () => {
    let loads = 0;
    const engine = defaultEngine.extend({
      functions: {
        remote: {
          call: (args, ctx) =>
            ctx.resolve(`remote:${String(args.get("key", 0))}`, async () => {
              loads++;
              return `value of ${String(args.get("key", 0))}`;
            }),
        },
      },
    });
    expect(await engine.renderAsync("{{ remote('a') }} / {{ remote('a') }} / {{ remote('b') }}", {})).toBe(
      "value of a / value of a / value of b",
    );
    expect(loads).toBe(2);
    expect(() => engine.render("{{ remote('a') }}", {})).toThrow(/needs asynchronous rendering/);
  });

  it("reports a failed asynchronous load as the render's error", async () => {
    const engine = defaultEngine.extend({
      functions: {
        broken: { call: (_a, ctx) => ctx.resolve("broken", async () => Promise.reject(new Error("backend down"))) },
      },
    });
    await expect(engine.renderAsync("{{ broken() }}", {})).rejects.toThrow("backend down");
  });

  it("passes runtime services to extensions", () => {
    const engine = defaultEngine.extend({
      functions: { who: { call: (_a, ctx) => (ctx.services.user as string) ?? "nobody" } },
    });
    expect(engine.render("{{ who() }}", {}, { services: { user: "ada" } })).toBe("ada");
  });

  it("renderTemplate loads jq on first use", async () => {
    expect(await renderTemplate("{{ {'a': [1, 2]} | jq('.a[]') }}", {})).toBe("[1,2]");
  });
});

describe("query results: value vs uri", () => {
  const stored = { fetch: { uri: "kestra:///a/b/result.ion", size: 3, fetchType: "STORE" } };
  const fetched = { fetch: { rows: [{ id: 1 }], size: 1, fetchType: "FETCH" } };

  it.each(["value", "row", "rows"])("reading `%s` of a STORE result names `uri`", (attribute) => {
    const message = failure(`{{ outputs.fetch.${attribute} }}`, { outputs: stored }).message;
    expect(message).toContain(`Unable to find \`${attribute}\``);
    expect(message).toContain("fetchType: STORE");
    expect(message).toContain("`uri`");
  });

  it("reading `uri` of a FETCH result says where the rows are", () => {
    const message = failure("{{ outputs.fetch.uri }}", { outputs: fetched }).message;
    expect(message).toContain("fetchType: FETCH");
    expect(message).toContain("`rows`");
  });

  it("defaults and tests still see a missing attribute", () => {
    expect(render("{{ outputs.fetch.value ?? 'none' }}", { outputs: stored })).toBe("none");
    expect(render("{{ outputs.fetch.rows is defined }}", { outputs: stored })).toBe("false");
  });
});

describe("fromIon dates", () => {
  it("reads a day-precision timestamp as a date", () => {
    expect(render("{{ fromIon(x).d }}", { x: "{d: 2024-01-31, t: 2024-01-31T10:11:12Z}" })).toBe("2024-01-31");
    expect(render("{{ fromIon(x).t }}", { x: "{d: 2024-01-31, t: 2024-01-31T10:11:12Z}" })).toBe(
      "2024-01-31T10:11:12Z",
    );
  });
});
