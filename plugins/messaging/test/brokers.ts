/**
 * Test support for the AMQP, MQTT and Kafka families: a real engine instance with the core
 * plugin and this one registered, unique names, and the executions a flow started.
 */
import { randomUUID } from "node:crypto";
import { createServer, type AddressInfo, type Socket } from "node:net";
import { readIonLines } from "@saker/sdk/ion";
import { afterAll, beforeAll } from "vitest";
import {
  coreRegistry,
  deferredTestInstance,
  openTestInstance,
  storedText,
  type TestInstance,
} from "@saker/engine/testing";
import messaging from "../src/index.ts";

export async function messagingInstance(options: { home?: string; scheduler?: boolean } = {}): Promise<TestInstance> {
  const registry = coreRegistry();
  registry.addPlugin({ name: "@saker/plugin-messaging", version: "1.0.0", core: false }, messaging);
  return openTestInstance({ registry, ...options });
}

/** A messaging instance for the tests of the calling describe block (or file): opened before them, closed after. */
export function useMessagingInstance(): TestInstance {
  let opened: TestInstance | undefined;
  beforeAll(async () => {
    opened = await messagingInstance();
  });
  afterAll(async () => {
    await opened?.close();
  });
  return deferredTestInstance(() => opened);
}

/** A name no other test run uses: `prefix.xxxxxxxx`. */
export function uniqueName(prefix: string): string {
  return `${prefix}.${randomUUID().slice(0, 8)}`;
}

/** The values of a stored Ion file. */
export async function storedValues(test: TestInstance, uri: string): Promise<unknown[]> {
  const values: unknown[] = [];
  for await (const value of readIonLines([await storedText(test, uri)])) values.push(value);
  return values;
}

/** The executions of a flow, oldest first. */
export function executionsOf(test: TestInstance, namespace: string, flowId: string) {
  return test.instance.executions
    .search({ tenantId: test.instance.config.tenantId, namespace, flowId, size: 1000 })
    .results.slice()
    .sort((a, b) => a.state.startDate.localeCompare(b.state.startDate));
}

/** Every log message of an instance (tasks and triggers), for checks that a secret never appears. */
export function allLogs(test: TestInstance, namespace: string): string[] {
  return test.instance.logs.find({ namespace }).map((l) => l.message);
}

/** A TCP server on loopback that accepts connections and never answers: a broker that hangs. */
export async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export { eventually, errorMessages, logMessages, outputsOf, taskRun, storedText } from "@saker/engine/testing";
