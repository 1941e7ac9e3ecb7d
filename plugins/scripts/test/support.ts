/**
 * Test support: a real engine instance with the core plugin and this one registered, and helpers
 * to read what a script task left behind.
 */
import { coreRegistry } from "@saker/engine/runtime/registryLoader";
import { openTestInstance, type TestInstance } from "@saker/engine/testing/testInstance";
import { toStoragePath } from "@saker/engine/storage/paths";
import type { Execution } from "@saker/engine/model/execution";
import scripts from "../src/index.ts";

export async function scriptsInstance(options: { env?: Record<string, string>; overrides?: Record<string, unknown> } = {}): Promise<TestInstance> {
  const registry = coreRegistry();
  registry.addPlugin({ name: "@saker/plugin-scripts", version: "1.0.0", core: false }, scripts);
  return openTestInstance({ registry, ...options });
}

/** The raw text of a stored file. */
export async function storedText(test: TestInstance, uri: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of await test.instance.storage.get(toStoragePath(uri))) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** The one task run of `taskId`. */
export function taskRun(execution: Execution, taskId: string) {
  const run = execution.taskRunList.find((t) => t.taskId === taskId);
  if (!run) throw new Error(`no task run '${taskId}' in ${JSON.stringify(execution.taskRunList.map((t) => t.taskId))}`);
  return run;
}

/** A flow with one task `t` of `type`, `props` as YAML lines under it. */
export function flow(id: string, type: string, props: string): string {
  const indented = props.trim().split("\n").map((l) => `    ${l}`).join("\n");
  return `id: ${id}\nnamespace: company.scripts\ntasks:\n  - id: t\n    type: ${type}\n${indented}\n`;
}

/** The log lines of a task of an execution at `minLevel` or above, as `LEVEL message`. */
export function logLines(test: TestInstance, executionId: string, minLevel: "TRACE" | "DEBUG" | "INFO" | "WARN" | "ERROR" = "INFO"): string[] {
  return test.instance.logs.find({ executionId, minLevel }).map((e) => `${e.level} ${e.message}`);
}
