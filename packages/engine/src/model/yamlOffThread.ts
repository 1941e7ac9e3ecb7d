/**
 * Large YAML parsed off the event loop: a source over `OFF_THREAD_BYTES` is parsed by one
 * reusable worker thread (yamlWorker.ts) into plain data, with the limits of dataLimits.ts. A
 * worker that dies fails the requests it held and the next request starts a fresh one. Small
 * sources, and the TypeScript sources run by the tests (no compiled worker), parse in place.
 */
import { SakerError, type ErrorLocation } from "@saker/sdk";
import { existsSync } from "node:fs";
import { deserialize } from "node:v8";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { dataLimits } from "./dataLimits.ts";
import type { ValueParts, YamlReply, YamlRequest } from "./yamlWorker.ts";
import { editDisabled, type DisabledEdit } from "./disabledSource.ts";
import { parseYamlSource } from "./yamlSource.ts";

/** Sources at least this long (in characters) are parsed in the worker. */
export const OFF_THREAD_BYTES = 64 * 1024;

type Position = { line: number; column: number } | undefined;

export interface AsyncYamlSource {
  value: unknown;
  /** Lines and columns of these paths (see YamlSource.locate). */
  locate(paths: readonly (readonly (string | number)[])[]): Promise<Position[]>;
}

const WORKER_FILE = fileURLToPath(new URL("./yamlWorker.js", import.meta.url));
const compiled = import.meta.url.endsWith(".js") && existsSync(WORKER_FILE);

let worker: Worker | undefined;
let nextId = 1;
const pending = new Map<number, { resolve(reply: YamlReply): void; reject(error: Error): void }>();

const yieldToOthers = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Rebuilds a value part by part, letting other work run in between. */
async function rebuild(value: ValueParts): Promise<unknown> {
  const head = deserialize(value.head) as Record<string, unknown[]>;
  for (const part of value.parts) {
    await yieldToOthers();
    head[part.key]!.push(...(deserialize(part.items) as unknown[]));
  }
  return head;
}

function stopped(name: string, why: string): SakerError {
  return new SakerError("YAML_PARSER_STOPPED", `The YAML parser stopped while reading ${name} (${why}); try again`);
}

function startWorker(): Worker {
  // Not the parent's flags: a `--conditions source` (the tests') would load TypeScript sources.
  const started = new Worker(WORKER_FILE, { execArgv: [] });
  let failure = "";
  started.on("message", (reply: YamlReply) => {
    const waiting = pending.get(reply.id);
    pending.delete(reply.id);
    if (pending.size === 0) started.unref();
    waiting?.resolve(reply);
  });
  started.on("error", (error) => (failure = error.message));
  started.on("exit", (code) => {
    if (worker === started) worker = undefined;
    const why = failure || `exit code ${code}`;
    for (const [id, waiting] of pending) {
      pending.delete(id);
      waiting.reject(new Error(why));
    }
  });
  started.unref();
  return started;
}

async function ask(request: Omit<YamlRequest, "id" | "limits">): Promise<YamlReply> {
  worker ??= startWorker();
  const id = nextId++;
  const reply = new Promise<YamlReply>((resolve, reject) => pending.set(id, { resolve, reject }));
  worker.ref();
  worker.postMessage({ ...request, id, limits: { ...dataLimits() } } satisfies YamlRequest);
  try {
    return await reply;
  } catch (error) {
    throw stopped(request.name, (error as Error).message);
  }
}

function thrown(reply: Extract<YamlReply, { error: unknown }>): Error {
  const { code, reason, location, details } = reply.error;
  if (!code) return new Error(reason);
  return new SakerError(code, reason, { ...(location as ErrorLocation | undefined), ...(details ? { details } : {}) });
}

/** Parses YAML like `parseYamlSource`, large sources in the worker thread. */
export async function parseYamlSourceAsync(source: string, name = "flow"): Promise<AsyncYamlSource> {
  if (!compiled || source.length < OFF_THREAD_BYTES) {
    const yaml = parseYamlSource(source, name);
    return { value: yaml.value, locate: async (paths) => paths.map((p) => yaml.locate(p)) };
  }
  const reply = await ask({ source, name });
  if ("error" in reply) throw thrown(reply);
  if (!("value" in reply)) throw new Error("the YAML worker answered no value");
  return {
    value: await rebuild(reply.value),
    // Positions are only needed for problems: the source is parsed again (in the worker) to find them.
    async locate(paths) {
      if (paths.length === 0) return [];
      const found = await ask({ source, name, paths: paths.map((p) => [...p]) }).catch(() => undefined);
      return found && "positions" in found ? found.positions : paths.map(() => undefined);
    },
  };
}

/** Parses YAML data like `parseYamlData`, large texts in the worker thread. */
export async function parseYamlDataAsync(text: string, what: string): Promise<unknown> {
  return (await parseYamlSourceAsync(text, what)).value;
}

/** `editDisabled`, a large source in the worker thread; `name` names the source in errors. */
export async function editDisabledAsync(source: string, disabled: boolean, name = "flow"): Promise<DisabledEdit> {
  if (!compiled || source.length < OFF_THREAD_BYTES) return editDisabled(source, disabled);
  const reply = await ask({ source, name, disabled });
  if ("error" in reply) throw thrown(reply);
  if (!("source" in reply)) throw new Error("the YAML worker answered no source");
  return { source: reply.source, only: reply.only };
}

/** Stops the worker (tests, shutdown); the next large parse starts another. */
export async function stopYamlWorker(): Promise<void> {
  const current = worker;
  worker = undefined;
  await current?.terminate();
}
