import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Logger } from "@saker/sdk";
import { loginOf, type LoginProps } from "./login.ts";

const dir = mkdtempSync(join(tmpdir(), "saker-ssh-login-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const warnings: string[] = [];
const format = (message: string, args: unknown[]) => message.replace(/\{\}/g, () => String(args.shift()));
const logger = { warn: (m: string, ...a: unknown[]) => warnings.push(format(m, a)) } as unknown as Logger;
const ctx = (configuration: Record<string, unknown>) => ({ logger, pluginConfiguration: () => configuration });
const base: LoginProps = {
  host: "alias",
  port: "22",
  authMethod: "OPEN_SSH",
  strictHostKeyChecking: "no",
  openSSHConfigDir: "~/.ssh/config",
};

describe("loginOf", () => {
  it("refuses OPEN_SSH unless the instance allows reading the worker's configuration", async () => {
    await expect(loginOf(base, ctx({}))).rejects.toThrow(
      "authMethod OPEN_SSH reads the worker's OpenSSH configuration, which the instance must allow: plugins.configurations, type io.kestra.plugin.fs.ssh.Command, values: { allow-open-ssh-config: true }",
    );
  });

  it("OPEN_SSH: a port of the configuration wins, a missing IdentityFile is skipped with a warning", async () => {
    const config = join(dir, "config");
    writeFileSync(config, `Host alias\n  HostName 10.0.0.5\n  Port 2022\n  User cfg\n  IdentityFile ${dir}/absent\n`);
    await expect(
      loginOf({ ...base, openSSHConfigPath: config }, ctx({ "allow-open-ssh-config": true })),
    ).rejects.toThrow(`authMethod OPEN_SSH: ${config} gives no IdentityFile for 'alias' and the task no password`);
    expect(warnings.join("\n")).toContain(`IdentityFile '${dir}/absent' of ${config} does not exist: skipped`);
    const login = await loginOf(
      { ...base, port: 2200, openSSHConfigPath: config, password: "pw" },
      ctx({ "allow-open-ssh-config": "true" }),
    );
    expect(login).toMatchObject({ host: "10.0.0.5", port: 2022, username: "cfg", methods: [{ type: "password" }] });
  });

  it("checks the port", async () => {
    await expect(
      loginOf({ ...base, authMethod: "PASSWORD", username: "u", password: "p", port: "70000" }, ctx({})),
    ).rejects.toThrow("port must be a port number from 1 to 65535 (got '70000')");
  });
});
