/**
 * A private Mosquitto for the credential tests: a free loopback port, `allow_anonymous false` and
 * a password file made with `mosquitto_passwd`; undefined when Mosquitto is not installed.
 */
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { portOpen } from "@saker/engine/testing";
import { freePort } from "./nats.ts";

export const MOSQUITTO_BIN = "/usr/sbin/mosquitto";
export const MOSQUITTO_PASSWD_BIN = "/usr/bin/mosquitto_passwd";

export interface AuthMosquitto {
  server: string;
  user: string;
  password: string;
  stop(): Promise<void>;
}

export async function startAuthMosquitto(): Promise<AuthMosquitto | undefined> {
  if (!existsSync(MOSQUITTO_BIN) || !existsSync(MOSQUITTO_PASSWD_BIN)) return undefined;
  const dir = mkdtempSync(join(tmpdir(), "saker-mosquitto-"));
  const user = "saker";
  const password = "Mq-s3cret-pw";
  const passwords = join(dir, "passwords");
  await promisify(execFile)(MOSQUITTO_PASSWD_BIN, ["-b", "-c", passwords, user, password]);
  const port = await freePort();
  const config = join(dir, "mosquitto.conf");
  // `user root`: when run as root, Mosquitto would otherwise switch to a user that cannot read `dir`.
  const lines = [
    `listener ${port} 127.0.0.1`,
    "allow_anonymous false",
    `password_file ${passwords}`,
    "persistence false",
  ];
  if (process.getuid?.() === 0) lines.push("user root");
  writeFileSync(config, `${lines.join("\n")}\n`);
  const child = spawn(MOSQUITTO_BIN, ["-c", config], { stdio: "ignore" });
  for (let i = 0; i < 100 && !(await portOpen("127.0.0.1", port)); i++) await new Promise((r) => setTimeout(r, 50));
  return {
    server: `tcp://127.0.0.1:${port}`,
    user,
    password,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
