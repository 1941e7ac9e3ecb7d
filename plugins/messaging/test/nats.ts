/**
 * NATS test support: the server this machine runs (127.0.0.1:4222, JetStream enabled), a stream
 * per test on a unique subject prefix, and a second server with user/password auth on a free
 * port when `nats-server` is installed.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer } from "node:net";
import { randomUUID } from "node:crypto";
import { connect, headers, type NatsConnection } from "nats";
import { portOpen } from "@saker/engine/testing";

export const NATS_URL = "nats://127.0.0.1:4222";
export const NATS_SERVER_BIN = "/usr/sbin/nats-server";

/** A unique subject prefix with a JetStream stream holding `<prefix>.>`. */
export interface TestStream {
  prefix: string;
  stream: string;
  nc: NatsConnection;
  publish(subject: string, data: string, hdrs?: Record<string, string>): Promise<void>;
  close(): Promise<void>;
}

export async function testStream(): Promise<TestStream> {
  const id = randomUUID().replace(/-/g, "").slice(0, 12);
  const prefix = `t${id}`;
  const stream = `S${id}`;
  const nc = await connect({ servers: NATS_URL });
  const jsm = await nc.jetstreamManager();
  await jsm.streams.add({ name: stream, subjects: [`${prefix}.>`] });
  const js = nc.jetstream();
  return {
    prefix,
    stream,
    nc,
    async publish(subject, data, hdrs) {
      const h = headers();
      for (const [k, v] of Object.entries(hdrs ?? {})) h.append(k, v);
      await js.publish(subject, data, hdrs ? { headers: h } : {});
    },
    async close() {
      await jsm.streams.delete(stream).catch(() => false);
      await nc.close();
    },
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

/** A NATS server requiring `user`/`s3cretpw`, on a free port; undefined when none is installed. */
export function startAuthServer(): Promise<{ url: string; stop(): Promise<void> } | undefined> {
  return startServer(["--user", "user", "--pass", "s3cretpw"]);
}

/** A NATS server with JetStream (storing in a temporary folder), on a free port. */
export function startJetStreamServer(): Promise<{ url: string; stop(): Promise<void> } | undefined> {
  return startServer(["-js", "-sd", mkdtempSync(join(tmpdir(), "saker-nats-"))]);
}

async function startServer(args: string[]): Promise<{ url: string; stop(): Promise<void> } | undefined> {
  if (!existsSync(NATS_SERVER_BIN)) return undefined;
  const port = await freePort();
  const child: ChildProcess = spawn(NATS_SERVER_BIN, ["-a", "127.0.0.1", "-p", String(port), ...args], {
    stdio: "ignore",
  });
  for (let i = 0; i < 100 && !(await portOpen("127.0.0.1", port)); i++) await new Promise((r) => setTimeout(r, 50));
  return {
    url: `nats://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    },
  };
}
