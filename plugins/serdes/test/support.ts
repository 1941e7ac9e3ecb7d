/** Test support: a real engine instance with the core plugin and this one registered. */
import { coreRegistry, openTestInstance, type TestInstance } from "@saker/engine/testing";
import serdes from "../src/index.ts";

export async function serdesInstance(): Promise<TestInstance> {
  const registry = coreRegistry();
  registry.addPlugin({ name: "@saker/plugin-serdes", version: "1.0.0", core: false }, serdes);
  return openTestInstance({ registry });
}

/** YAML of a task: `id`, `type`, then `props` lines indented under it. */
export function task(id: string, type: string, props: string): string {
  const body = props
    .trim()
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n");
  return `  - id: ${id}\n    type: ${type}\n${body}\n`;
}

/** A flow that writes `content` to storage (task `src`, `extension`) and then runs `tasks`. */
export function flowWith(id: string, content: string, extension: string, tasks: string): string {
  return `id: ${id}\nnamespace: company.serdes\ntasks:\n${task(
    "src",
    "io.kestra.plugin.core.storage.Write",
    `content: ${JSON.stringify(content)}\nextension: ${extension}`,
  )}${tasks}`;
}
