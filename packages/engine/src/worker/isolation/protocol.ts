import type { MessagePort } from "node:worker_threads";

/**
 * Messages between a worker and an isolated task's thread. The thread asks, the worker answers:
 * `{id, method, args}` → `{id, result}` or `{id, error}`; log lines and metrics need no answer.
 */
export type BridgeMethod =
  | "render"
  | "renderTyped"
  | "renderValue"
  | "secret"
  | "workingDir"
  | "workingFiles.write"
  | "workingFiles.copyNamespaceFiles"
  | "workingFiles.upload"
  | "storage.putFile"
  | "storage.readFile"
  | "storage.exists"
  | "storage.size"
  | "storage.delete"
  | "ns.list"
  | "ns.get"
  | "ns.put"
  | "ns.delete"
  | "ns.exists"
  | "kv.get"
  | "kv.set"
  | "kv.delete"
  | "kv.list";

export interface BridgeRequest {
  id: number;
  method: BridgeMethod;
  args: unknown[];
}

export interface BridgeResponse {
  id: number;
  result?: unknown;
  error?: { message: string; code?: string };
}

export interface BridgeNotice {
  notice: "log" | "metric";
  args: unknown[];
}

/** What the pool's thread receives to run one task. */
export interface IsolatedTaskData {
  entry: string;
  type: string;
  props: unknown;
  info: Record<string, unknown>;
  variables: Record<string, unknown>;
  pluginConfiguration: Record<string, unknown>;
  refusedAddresses?: string[];
  port: MessagePort;
}
