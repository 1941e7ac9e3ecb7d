/**
 * Test support: a real engine instance with the core plugin and this one, and a webhook server on
 * loopback that records every request and answers with the status the path asks for
 * (`/status/400` answers 400).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { coreRegistry, openTestInstance, type TestInstance } from "@saker/engine/testing";
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
