/**
 * Test support: a real engine instance with the core plugin and this one registered, and helpers
 * to read what a script task left behind.
 */
import { coreRegistry, openTestInstance, type TestInstance } from "@saker/engine/testing";
import scripts from "../src/index.ts";

export async function scriptsInstance(
  options: { env?: Record<string, string>; overrides?: Record<string, unknown> } = {},
): Promise<TestInstance> {
  const registry = coreRegistry();
  registry.addPlugin({ name: "@saker/plugin-scripts", version: "1.0.0", core: false }, scripts);
  return openTestInstance({ registry, ...options });
}

export { storedText, taskRun } from "@saker/engine/testing";

/** A flow with one task `t` of `type`, `props` as YAML lines under it. */
export function flow(id: string, type: string, props: string): string {
  const indented = props
    .trim()
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n");
  return `id: ${id}\nnamespace: company.scripts\ntasks:\n  - id: t\n    type: ${type}\n${indented}\n`;
}

/** The log lines of a task of an execution at `minLevel` or above, as `LEVEL message`. */
export function logLines(
  test: TestInstance,
  executionId: string,
  minLevel: "TRACE" | "DEBUG" | "INFO" | "WARN" | "ERROR" = "INFO",
): string[] {
  return test.instance.logs.find({ executionId, minLevel }).map((e) => `${e.level} ${e.message}`);
}
