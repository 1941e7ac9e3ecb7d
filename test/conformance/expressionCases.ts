/**
 * Runs a file of expression conformance cases (the format of
 * ../shared/conformance/expressions/cases.yaml) through the engine as vitest tests, so that the
 * repository's own case files (`conformance/expressions-*.yaml`) are guarded by `npm test`.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";
import { describe, expect, it } from "vitest";
import { isTruthy, renderTemplate } from "@saker/engine";

export interface ExpressionCase {
  name: string;
  group?: string;
  source: string;
  note?: string;
  template?: string;
  truthyOf?: string;
  context?: Record<string, unknown>;
  typed?: boolean;
  expect?: unknown;
  error?: boolean;
  errorContains?: string;
  truthy?: boolean;
}

export const CONFORMANCE_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "conformance");

/** Every `expressions-*.yaml` file of the repository's conformance directory. */
export function expressionCaseFiles(): string[] {
  return readdirSync(CONFORMANCE_DIR)
    .filter((name) => /^expressions-.*\.yaml$/.test(name))
    .sort()
    .map((name) => join(CONFORMANCE_DIR, name));
}

export function loadExpressionCases(file: string): ExpressionCase[] {
  const cases = YAML.parse(readFileSync(file, "utf8")) as ExpressionCase[];
  if (!Array.isArray(cases) || cases.length === 0) throw new Error(`${file} holds no cases`);
  for (const c of cases) {
    if (!c.name || !c.source)
      throw new Error(`${file}: every case needs a name and a source (${JSON.stringify(c).slice(0, 80)})`);
    const outcomes = ["expect" in c, c.error === true, "truthy" in c].filter(Boolean).length;
    if (outcomes !== 1) throw new Error(`${file}: '${c.name}' needs exactly one of expect, error: true, truthy`);
  }
  return cases;
}

/** The value as JSON sees it, as the shared runner compares typed results (1 and 1.0 are equal). */
function asJson(value: unknown): unknown {
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}

async function check(c: ExpressionCase): Promise<void> {
  const context = c.context ?? {};
  if ("truthy" in c) {
    const rendered = c.truthyOf ?? String(await renderTemplate(c.template ?? "", context, { typed: false }));
    expect(isTruthy(rendered)).toBe(c.truthy);
    return;
  }
  const render = renderTemplate(c.template ?? "", context, { typed: Boolean(c.typed) });
  if (c.error) {
    const error = await render.then(
      (value) => new Error(`expected an error, got ${JSON.stringify(value)}`),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).not.toMatch(/^expected an error/);
    if (c.errorContains) expect((error as Error).message).toContain(c.errorContains);
    return;
  }
  const value = await render;
  if (c.typed) expect(asJson(value)).toEqual(c.expect);
  else expect(value).toBe(c.expect);
}

/** Registers one vitest test per case of `file`. */
export function describeExpressionCases(file: string): void {
  const cases = loadExpressionCases(file);
  describe(file.slice(CONFORMANCE_DIR.length + 1), () => {
    for (const c of cases) it(`[${c.group ?? "-"}] ${c.name}`, () => check(c));
  });
}
