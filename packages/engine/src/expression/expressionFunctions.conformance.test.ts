/**
 * Runs conformance/expressions-functions.yaml (functions, tests and operators checked against
 * Pebble's and Kestra's sources) through the expression module, as the shared runner does:
 * string renders compare exactly, typed renders as JSON values, `error` cases must fail.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ExpressionError, isTruthy, renderTemplate } from "./index.ts";

interface Case {
  name: string;
  template?: string;
  context?: Record<string, unknown>;
  typed?: boolean;
  expect?: unknown;
  error?: boolean;
  errorContains?: string;
  truthyOf?: string;
  truthy?: boolean;
  source: string;
}

const file = fileURLToPath(new URL("../../../../conformance/expressions-functions.yaml", import.meta.url));
const cases = parse(readFileSync(file, "utf8")) as Case[];

/** JSON values compared as the shared runner does (1 and 1.0 are equal). */
const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value ?? null));

describe("conformance/expressions-functions.yaml", () => {
  it("has cases, each naming its source", () => {
    expect(cases.length).toBeGreaterThan(20);
    for (const c of cases) expect(c.source, c.name).toBeTruthy();
  });

  it.each(cases.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    if (c.truthy !== undefined) {
      const rendered = c.truthyOf ?? String(await renderTemplate(c.template!, c.context ?? {}));
      expect(isTruthy(rendered)).toBe(c.truthy);
      return;
    }
    const run = renderTemplate(c.template!, c.context ?? {}, { typed: Boolean(c.typed) });
    if (c.error) {
      const error = await run.then(
        (value) => new Error(`expected an error, got ${JSON.stringify(value)}`),
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(ExpressionError);
      if (c.errorContains) expect((error as Error).message).toContain(c.errorContains);
      return;
    }
    const value = await run;
    if (c.typed) expect(asJson(value)).toEqual(c.expect);
    else expect(value).toBe(c.expect);
  });
});
