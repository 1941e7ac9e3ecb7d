/**
 * API tests run against a real instance on a temporary folder, served on a free port, and talk to
 * it over HTTP only. Two small test tasks (a real plugin, registered beside the core one) write an
 * output file and fail until a namespace file exists.
 */
import { defineTask, TaskError, z } from "@saker/sdk";
import { coreRegistry, openTestInstance, type TestInstance } from "@saker/engine/testing";
import { startServer, type RunningServer } from "../index.ts";

export const WriteFile = defineTask({
  type: "io.saker.test.WriteFile",
  title: "Write a file to internal storage",
  properties: z.object({ content: z.string(), name: z.string().default("out.txt") }),
  outputs: z.object({ uri: z.string() }),
  async run({ content, name }, ctx) {
    return { uri: await ctx.storage.putFile(Buffer.from(content), name) };
  },
});

export const FailUntilFile = defineTask({
  type: "io.saker.test.FailUntilFile",
  title: "Fail until a namespace file exists",
  properties: z.object({ path: z.string() }),
  async run({ path }, ctx) {
    if (!(await ctx.storage.namespace().exists(path))) throw new TaskError(`namespace file '${path}' is missing`);
    ctx.logger.info("found {}", path);
    return {};
  },
});

export const EmitMetrics = defineTask({
  type: "io.saker.test.EmitMetrics",
  title: "Emit a counter and a timer",
  properties: z.object({ count: z.number(), millis: z.number(), source: z.string().default("test") }),
  async run({ count, millis, source }, ctx) {
    ctx.metric({ name: "rows", type: "counter", value: count, tags: { source } });
    ctx.metric({ name: "took", type: "timer", value: millis });
    return {};
  },
});

export interface TestApi {
  /** `http://127.0.0.1:port` */
  url: string;
  /** `http://127.0.0.1:port/api/v1` */
  api: string;
  test: TestInstance;
  server: RunningServer;
  close(): Promise<void>;
}

export async function startTestApi(
  options: {
    overrides?: Record<string, unknown>;
    scheduler?: boolean;
    env?: Record<string, string>;
    /** false: an API-only process (another one on the same database runs the flows). */
    executor?: boolean;
    worker?: boolean;
  } = {},
): Promise<TestApi> {
  const registry = coreRegistry();
  const plugin = { name: "saker-test-plugin", version: "1.0.0", core: false };
  registry.addType(plugin, WriteFile);
  registry.addType(plugin, FailUntilFile);
  registry.addType(plugin, EmitMetrics);
  const test = await openTestInstance({
    registry,
    ...(options.overrides ? { overrides: options.overrides } : {}),
    ...(options.env ? { env: options.env } : {}),
    ...(options.scheduler ? { scheduler: true } : {}),
    ...(options.executor === false ? { executor: false } : {}),
    ...(options.worker === false ? { worker: false } : {}),
  });
  const server = await startServer(test.instance, { port: 0 });
  return {
    url: server.url,
    api: `${server.url}/api/v1`,
    test,
    server,
    async close() {
      await server.close();
      await test.close();
    },
  };
}

export async function json<T = Record<string, any>>(response: Response): Promise<T> {
  const text = await response.text();
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`not JSON (${response.status}): ${text.slice(0, 300)}`);
  }
}

/** POSTs a flow's YAML. */
export function postYaml(
  url: string,
  yaml: string,
  method = "POST",
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(url, { method, headers: { "Content-Type": "application/x-yaml", ...headers }, body: yaml });
}

export interface SseEvent {
  id: string;
  data: string;
}

/** Reads a whole event stream (until the server closes it, or `timeoutMs`). */
export async function readEvents(
  url: string,
  timeoutMs = 20_000,
  headers: Record<string, string> = {},
): Promise<{ status: number; contentType: string | null; events: SseEvent[] }> {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
  const text = await response.text();
  const events = text
    .split("\n\n")
    .filter((block) => block.includes("data:"))
    .map((block) => {
      const lines = block.split("\n");
      return {
        id: lines.find((l) => l.startsWith("id: "))?.slice(4) ?? "",
        data: lines
          .filter((l) => l.startsWith("data: "))
          .map((l) => l.slice(6))
          .join("\n"),
      };
    });
  return { status: response.status, contentType: response.headers.get("content-type"), events };
}

/** Polls an execution until `done` holds (HTTP only). */
export async function waitForExecution(
  api: string,
  id: string,
  done: (x: Record<string, any>) => boolean,
  timeoutMs = 20_000,
): Promise<Record<string, any>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const x = await json<Record<string, any>>(await fetch(`${api}/executions/${id}`));
    if (done(x)) return x;
    if (Date.now() > until) throw new Error(`execution ${id} still ${x.state?.current} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const terminated = (x: Record<string, any>) =>
  ["SUCCESS", "WARNING", "FAILED", "KILLED", "CANCELLED"].includes(x.state?.current);
