/**
 * Test support: a real engine instance with the core plugin and this one, and a webhook server on
 * loopback that records every request and answers with the status the path asks for
 * (`/status/400` answers 400; `/empty/202` answers 202 with no body and an `X-Message-Id`;
 * `/echo/400` answers 400 with the request's `Authorization` in its body and an `X-Echo` header).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterAll, beforeAll } from "vitest";
import {
  coreRegistry,
  deferredTestInstance,
  openTestInstance,
  type Execution,
  type TestInstance,
} from "@saker/engine/testing";
import notifications from "../src/index.ts";

type Plugin = Parameters<ReturnType<typeof coreRegistry>["addPlugin"]>[1];

export async function notificationsInstance(
  overrides: Record<string, unknown> = {},
  scheduler = false,
  env: Record<string, string> = {},
  /** Further plugins to register (a test's own tasks), by name. */
  plugins: Record<string, Plugin> = {},
): Promise<TestInstance> {
  const registry = coreRegistry();
  registry.addPlugin({ name: "@saker/plugin-notifications", version: "1.0.0", core: false }, notifications);
  for (const [name, plugin] of Object.entries(plugins))
    registry.addPlugin({ name, version: "1.0.0", core: false }, plugin);
  return openTestInstance({ registry, overrides, scheduler, env });
}

/** A flow of one task `notify` of `type`, with `props` (YAML lines) as its properties. */
export function oneTaskFlow(id: string, type: string, props: string): string {
  return `id: ${id}
namespace: company.team
tasks:
  - id: notify
    type: ${type}
${props
  .trim()
  .split("\n")
  .map((l) => `    ${l}`)
  .join("\n")}
`;
}

export interface Received {
  method: string;
  path: string;
  contentType: string | undefined;
  authorization: string | undefined;
  sentryAuth: string | undefined;
  body: string;
  /** The body's bytes, and every header. */
  raw: Buffer;
  headers: Record<string, string | string[] | undefined>;
}

export interface WebhookServer {
  url: string;
  received: Received[];
  close(): Promise<void>;
}

export async function webhookServer(): Promise<WebhookServer> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({
        method: req.method ?? "",
        path: req.url ?? "",
        contentType: req.headers["content-type"],
        authorization: req.headers.authorization,
        sentryAuth: req.headers["x-sentry-auth"] as string | undefined,
        body: Buffer.concat(chunks).toString("utf8"),
        raw: Buffer.concat(chunks),
        headers: req.headers,
      });
      if (req.url?.startsWith("/silent")) return; // never answers
      const big = /^\/big\/(\d+)/.exec(req.url ?? "")?.[1];
      if (big) {
        res.writeHead(200, { "content-type": "text/plain" });
        res.end("x".repeat(Number(big)));
        return;
      }
      const empty = /^\/empty\/(\d{3})/.exec(req.url ?? "")?.[1];
      if (empty) {
        res.writeHead(Number(empty), { "X-Message-Id": "saker-test-1" });
        res.end();
        return;
      }
      const echo = /^\/echo\/(\d{3})/.exec(req.url ?? "")?.[1];
      if (echo) {
        res.writeHead(Number(echo), { "content-type": "text/plain", "X-Echo": req.headers.authorization ?? "" });
        res.end(`you sent ${req.headers.authorization ?? "nothing"}`);
        return;
      }
      const status = /^\/status\/(\d{3})/.exec(req.url ?? "")?.[1];
      res.writeHead(status ? Number(status) : 200, { "content-type": "text/plain" });
      res.end(status ? `refused with ${status}: invalid_payload` : "ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const sockets = new Set<Socket>();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** What the service test files share: an instance, a receiver, and a failed execution to report. */
export interface NotificationFixture {
  /** An instance with `server.url` http://localhost:8080 (usable inside the tests). */
  readonly test: TestInstance;
  /** The webhook receiver (usable inside the tests). */
  readonly hook: WebhookServer;
  /** An execution of flow `company.prod/nightly` whose task `boom` failed. */
  readonly failed: Execution;
  /** The page of `failed`: `http://localhost:8080/ui/main/executions/company.prod/nightly/<id>`. */
  readonly link: string;
}

/**
 * Opens the fixture before the file's tests and closes it after them. `env` is the instance's
 * environment (`SECRET_<KEY>`, base64, is the secret `KEY`).
 */
export function useNotificationFixture(env: Record<string, string> = {}): NotificationFixture {
  let test: TestInstance | undefined;
  let hook: WebhookServer | undefined;
  let failed: Execution | undefined;
  const opened = <T>(value: T | undefined): T => {
    if (value === undefined)
      throw new Error("the notification fixture is used before it was opened (outside the tests)");
    return value;
  };
  beforeAll(async () => {
    test = await notificationsInstance({ server: { url: "http://localhost:8080" } }, false, env);
    hook = await webhookServer();
    failed = await test.run(`id: nightly
namespace: company.prod
tasks:
  - id: boom
    type: io.kestra.plugin.core.execution.Fail
`);
  });
  afterAll(async () => {
    await test?.close();
    await hook?.close();
  });
  return {
    test: deferredTestInstance(() => test),
    hook: {
      get url() {
        return opened(hook).url;
      },
      get received() {
        return opened(hook).received;
      },
      close: () => opened(hook).close(),
    },
    get failed() {
      return opened(failed);
    },
    get link() {
      return `http://localhost:8080/ui/main/executions/company.prod/nightly/${opened(failed).id}`;
    },
  };
}
