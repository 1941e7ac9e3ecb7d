/**
 * Test support for the messaging families: a real engine instance (SQLite, local storage) with
 * the core plugin and this one, flows of one task, and what the instance stored.
 */
import {
  coreRegistry,
  eventually,
  ionValues,
  openTestInstance,
  toStoragePath,
  type TestInstance,
} from "@saker/engine/testing";
import messaging from "../src/index.ts";

export { eventually, serviceAvailable, taskRun, type TestInstance } from "@saker/engine/testing";

export async function messagingInstance(
  options: { scheduler?: boolean; home?: string; overrides?: Record<string, unknown> } = {},
): Promise<TestInstance> {
  const registry = coreRegistry();
  registry.addPlugin({ name: "@saker/plugin-messaging", version: "1.0.0", core: false }, messaging);
  return openTestInstance({ registry, ...options });
}

/** A flow `id` in namespace `company.messaging` with one task `t` of `type`, `props` as YAML lines. */
export function taskFlow(id: string, type: string, props: string, extraTasks = ""): string {
  return `id: ${id}\nnamespace: company.messaging\ntasks:\n  - id: t\n    type: ${type}\n${indent(props, 4)}\n${extraTasks}`;
}

/** A flow with one Return task showing `format`, started by the trigger `type` with `props`. */
export function triggeredFlow(id: string, type: string, props: string, format: string): string {
  return `id: ${id}\nnamespace: company.messaging\ntasks:\n  - id: got\n    type: io.kestra.plugin.core.debug.Return\n    format: ${JSON.stringify(format)}\ntriggers:\n  - id: watch\n    type: ${type}\n${indent(props, 4)}\n`;
}

function indent(text: string, spaces: number): string {
  return text
    .trim()
    .split("\n")
    .map((l) => `${" ".repeat(spaces)}${l}`)
    .join("\n");
}

/** The values of an Ion file in the instance's storage. */
export async function storedRecords(test: TestInstance, uri: string): Promise<unknown[]> {
  const values: unknown[] = [];
  for await (const value of ionValues(await test.instance.storage.get(toStoragePath(uri)))) values.push(value);
  return values;
}

/** The executions of a flow of `company.messaging`. */
export function executionsOf(test: TestInstance, flowId: string) {
  return test.instance.executions.search({
    tenantId: test.instance.config.tenantId,
    namespace: "company.messaging",
    flowId,
    size: 10_000,
  }).results;
}

/** Waits until the flow has `count` executions that ended in SUCCESS, and returns them. */
export function successes(test: TestInstance, flowId: string, count: number, timeoutMs = 15_000) {
  return eventually(
    () => {
      const done = executionsOf(test, flowId).filter((x) => x.state.current === "SUCCESS");
      return done.length >= count ? done : undefined;
    },
    timeoutMs,
    `${count} successful executions of ${flowId}`,
  );
}

/** Every log line of the instance (all levels), to check that no secret was written. */
export function allLogText(test: TestInstance): string {
  return test.instance.logs
    .find({ namespace: "company.messaging", minLevel: "TRACE" })
    .map((l) => l.message)
    .join("\n");
}
