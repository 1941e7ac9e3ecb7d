/** Redis test support: the server this machine runs (127.0.0.1:6379), unique keys, and a password-protected server on a free port. */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { portOpen } from "@saker/engine/testing";
import { freePort } from "./nats.ts";

export const REDIS_URL = "redis://127.0.0.1:6379/0";
export const REDIS_SERVER_BIN = "/usr/bin/redis-server";

/** A key no other test uses. */
export const uniqueKey = (name: string) => `saker-test:${name}:${randomUUID().slice(0, 8)}`;

export function rawRedis(): Redis {
  return new Redis(REDIS_URL);
}

/** A Redis server requiring the password `s3cretpw`, on a free port; undefined when none is installed. */
export async function startAuthRedis(): Promise<{ port: number; stop(): Promise<void> } | undefined> {
  if (!existsSync(REDIS_SERVER_BIN)) return undefined;
  const port = await freePort();
  const child = spawn(
    REDIS_SERVER_BIN,
    ["--port", String(port), "--bind", "127.0.0.1", "--requirepass", "s3cretpw", "--save", "", "--appendonly", "no"],
    { stdio: "ignore" },
  );
  for (let i = 0; i < 100 && !(await portOpen("127.0.0.1", port)); i++) await new Promise((r) => setTimeout(r, 50));
  return {
    port,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    },
  };
}
