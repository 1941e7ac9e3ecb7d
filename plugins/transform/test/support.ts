/**
 * Test support: a real engine instance with the core plugin and this one registered, opened for a
 * test file's tests by {@link useTransformInstance}, and the helpers the test files share.
 */
import { afterAll, beforeAll } from "vitest";
import {
  coreRegistry,
  deferredTestInstance,
  errorMessages,
  openTestInstance,
  outputsOf,
  storedText,
  toStoragePath,
  taskYaml,
  type TestInstance,
} from "@saker/engine/testing";
import { readIonLines } from "@saker/sdk/ion";
import transform from "../src/index.ts";

export const JSONATA_VALUE = "io.kestra.plugin.transform.jsonata.TransformValue";
export const JSONATA_ITEMS = "io.kestra.plugin.transform.jsonata.TransformItems";
export const GROK_VALUE = "io.kestra.plugin.transform.grok.TransformValue";
export const GROK_ITEMS = "io.kestra.plugin.transform.grok.TransformItems";

type Execution = Parameters<typeof outputsOf>[0];

export interface TransformTest {
  readonly test: TestInstance;
  /** Stores a namespace file of company.transform; the URI to read it. */
  namespaceFile(name: string, content: string | Uint8Array): Promise<string>;
  /** The records of the Ion file a task run gave as its `uri` output. */
  records(execution: Execution, taskId: string): Promise<unknown[]>;
  /** The ERROR lines a task logged, joined. */
  errors(execution: Execution, taskId: string): string;
}

/** Opens an instance with the transform plugin before the file's tests and closes it after them. */
export function useTransformInstance(): TransformTest {
  let opened: TestInstance | undefined;
  const test = deferredTestInstance(() => opened);
  beforeAll(async () => {
    const registry = coreRegistry();
    registry.addPlugin({ name: "@saker/plugin-transform", version: "1.0.0", core: false }, transform);
    opened = await openTestInstance({ registry });
  });
  afterAll(async () => {
    await opened?.close();
  });
  return {
    test,
    async namespaceFile(name, content) {
      const uri = `kestra:///company/transform/_files/${name}`;
      await test.instance.storage.put(toStoragePath(uri), Buffer.from(content));
      return uri;
    },
    async records(execution, taskId) {
      const text = await storedText(test, outputsOf(execution, taskId).uri as string);
      const values: unknown[] = [];
      for await (const value of readIonLines([text])) values.push(value);
      return values;
    },
    errors: (execution, taskId) => errorMessages(test, execution, taskId).join("\n"),
  };
}

/** YAML of a task: `id`, `type`, then `props` lines indented under it. */
export const task = taskYaml;

/** A flow of the namespace company.transform running `tasks`. */
export function flowOf(id: string, tasks: string): string {
  return `id: ${id}\nnamespace: company.transform\ntasks:\n${tasks}`;
}
