/**
 * `io.kestra.plugin.fs.ssh.Command` through a real engine instance against the machine's real
 * OpenSSH server (test/sshd.ts): output lines and their levels while the commands run, env, the
 * outputs protocol, exit codes, a timeout and a kill ending the remote processes, 10 MB of
 * output, every login method, and the mistakes a user can make. After each test no connection is
 * left open, and no password, key or passphrase appears in the logs, outputs or errors.
 */
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo, type Socket } from "node:net";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { TestInstance } from "@saker/engine/testing";
import { closedPort, eventually, fsInstance, outputsOf, silentServer, taskFlow } from "../test/support.ts";
import { sshdAvailable, startSshd, type TestSshd } from "../test/sshd.ts";

const TYPE = "io.kestra.plugin.fs.ssh.Command";
const available = sshdAvailable();

describe.skipIf(!available)("ssh.Command against OpenSSH", () => {
  let sshd: TestSshd;
  let test: TestInstance;
  beforeAll(async () => {
    sshd = await startSshd();
    test = await fsInstance({ configuration: { "allow-open-ssh-config": true } });
  }, 60_000);
  afterAll(async () => {
    await test?.close();
    await sshd?.close();
  });
  afterEach(async () => {
    await sshd.idle(6000);
  });

  const yaml = (value: unknown) => JSON.stringify(value);
  /** host, port and a key login as the test user, with `more` YAML lines after. */
  const keyLogin = (more = "") =>
    `host: 127.0.0.1\nport: ${sshd.port}\nauthMethod: PUBLIC_KEY\nusername: ${sshd.user}\nprivateKey: ${yaml(sshd.key.private)}\n${more}`;
  const commands = (...lines: string[]) => `commands:\n${lines.map((l) => `  - ${yaml(l)}`).join("\n")}`;
  const run = (id: string, props: string, timeoutMs = 30_000) => test.run(taskFlow(id, TYPE, props), {}, timeoutMs);
  const logs = (executionId: string, level?: string) =>
    test.instance.logs
      .find({ executionId, taskId: "t" })
      .filter((l) => !level || l.level === level)
      .map((l) => l.message);
  const errors = (executionId: string) => logs(executionId, "ERROR").join("\n");
  /** Everything an execution shows: its logs and the execution (outputs, states). */
  const everything = (executionId: string) =>
    JSON.stringify(test.instance.logs.find({ executionId })) +
    JSON.stringify(test.instance.executions.get(executionId));
  const secrets = () => [sshd.password, sshd.passphrase, sshd.key.private, sshd.encryptedKey.private];
  const expectNoSecret = (executionId: string) => {
    const shown = everything(executionId);
    for (const secret of secrets()) expect(shown).not.toContain(secret);
    // a line of a key is not shown either
    expect(shown).not.toContain(sshd.key.private.split("\n")[1]);
  };
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  it("logs stdout at INFO and stderr at ERROR, runs every command, and reads the outputs protocol", async () => {
    const ex = await run(
      "ssh-lines",
      keyLogin(
        commands(
          "echo first",
          "echo 'to stderr' >&2",
          "cd /tmp && pwd",
          `echo '::{"outputs":{"out":"1","n":2},"metrics":[{"name":"rows","type":"counter","value":5}]}::'`,
          `echo '::{"outputs":{"err":"2"},"logs":[{"level":"WARN","message":"from a message"}]}::' >&2`,
          "printf 'no newline at the end'",
        ),
      ),
    );
    expect(ex.state.current, errors(ex.id)).toBe("SUCCESS");
    expect(outputsOf(ex, "t")).toEqual({ exitCode: 0, vars: { out: "1", n: 2, err: "2" } });
    const all = JSON.stringify(test.instance.logs.find({ executionId: ex.id }).map((l) => [l.level, l.message]));
    expect(logs(ex.id, "INFO"), all).toEqual(["first", "/tmp", "no newline at the end"]);
    expect(logs(ex.id, "ERROR"), all).toEqual(["to stderr"]);
    expect(logs(ex.id, "WARN"), all).toEqual(["from a message"]);
    expect(test.instance.metrics.byExecution(ex.id).map((m) => [m.name, m.value])).toEqual([["rows", 5]]);
    expect(logs(ex.id).join("\n")).not.toContain('"outputs"');
    expectNoSecret(ex.id);
  });

  it("gets the exit status of commands that end at once, many at a time", async () => {
    const indent = (text: string) => text.replace(/^/gm, "        ");
    const ex = await test.run(
      `id: ssh-quick
namespace: company.fs
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
    concurrencyLimit: 0
    tasks:
      - id: t
        type: ${TYPE}
${indent(keyLogin(commands('echo \'::{"outputs":{"v":"{{ taskrun.value }}"}}::\'')))}
`,
      {},
      60_000,
    );
    expect(ex.state.current, errors(ex.id)).toBe("SUCCESS");
    const runs = ex.taskRunList.filter((r) => r.taskId === "t");
    expect(runs.map((r) => r.outputs?.exitCode)).toEqual(Array(12).fill(0));
    expect(runs.map((r) => (r.outputs?.vars as { v: string }).v).sort((a, b) => +a - +b)).toEqual(
      [...Array(12).keys()].map(String),
    );
  });

  it("gives the commands an empty stdin", async () => {
    const ex = await run("ssh-stdin", keyLogin(commands("cat", "read line || echo 'end of input'")));
    expect(ex.state.current, errors(ex.id)).toBe("SUCCESS");
    expect(logs(ex.id, "INFO")).toEqual(["end of input"]);
  });

  it("passes env as SSH env requests: OpenSSH sets the names its AcceptEnv lists", async () => {
    const ex = await run(
      "ssh-env",
      keyLogin(
        `env:\n  SAKER_GREETING: "hello {{ flow.id }}"\n  SAKER_NUMBER: 42\n  NOT_ACCEPTED: dropped\n${commands(
          'echo "greeting=$SAKER_GREETING number=$SAKER_NUMBER other=${NOT_ACCEPTED:-unset}"',
        )}`,
      ),
    );
    expect(ex.state.current, errors(ex.id)).toBe("SUCCESS");
    expect(logs(ex.id, "INFO")).toContain("greeting=hello ssh-env number=42 other=unset");
  });

  it("logs each line while the commands still run", async () => {
    const { flow } = await test.instance.deploy(
      taskFlow("ssh-stream", TYPE, keyLogin(commands("echo first", "sleep 3", "echo second"))),
    );
    const created = await test.instance.createExecution(flow.namespace, flow.id);
    const seen = await eventually(
      () => (logs(created.id, "INFO").includes("first") ? logs(created.id, "INFO") : undefined),
      10_000,
      "the first line",
    );
    expect(seen).not.toContain("second");
    expect(test.instance.executions.get(created.id)?.execution.state.current).toBe("RUNNING");
    const ended = await test.instance.waitForSettled(created.id, 20_000);
    expect(ended.state.current).toBe("SUCCESS");
    expect(logs(created.id, "INFO")).toEqual(["first", "second"]);
  });

  it("fails on a non-zero exit status, keeping exitCode and vars and quoting stderr", async () => {
    const ex = await run(
      "ssh-exit",
      keyLogin(commands(`echo '::{"outputs":{"step":"before"}}::'`, "echo 'something broke' >&2", "exit 3")),
    );
    expect(ex.state.current).toBe("FAILED");
    expect(outputsOf(ex, "t")).toEqual({ exitCode: 3, vars: { step: "before" } });
    expect(errors(ex.id)).toContain("The commands failed with exit code 3. Last lines of stderr:\nsomething broke");
  });

  it("says a command was not found (exit 127)", async () => {
    const ex = await run("ssh-not-found", keyLogin(commands("no-such-command-4f1e --version")));
    expect(ex.state.current).toBe("FAILED");
    expect(outputsOf(ex, "t").exitCode).toBe(127);
    expect(errors(ex.id)).toMatch(/exit code 127 \(a command of `commands` was not found on the remote host\)/);
    expect(errors(ex.id)).toMatch(/no-such-command-4f1e: not found/);
  });

  it("reports a command ended by a signal with exitCode -1", async () => {
    const ex = await run("ssh-signal", keyLogin(commands("kill -TERM $$")));
    expect(ex.state.current).toBe("FAILED");
    expect(outputsOf(ex, "t").exitCode).toBe(-1);
    expect(errors(ex.id)).toContain("The commands were ended by signal TERM");
  });

  /** Commands that record their shell's and a background child's pids in `file`, then wait. */
  const stubborn = (file: string) =>
    commands(`echo $$ > ${file}`, `sleep 600 &`, `echo $! >> ${file}`, "echo started", "wait");
  const pidsIn = (file: string) =>
    eventually(() => {
      const pids = existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean).map(Number) : [];
      return pids.length === 2 ? pids : undefined;
    }, 10_000);

  it("a timeout ends the remote processes and closes the connection", async () => {
    const file = join(sshd.home, `timeout-${randomUUID()}.pids`);
    const ex = await run("ssh-timeout", `timeout: PT2S\n${keyLogin(stubborn(file))}`);
    expect(ex.state.current).toBe("FAILED");
    expect(errors(ex.id)).toContain("Timeout after PT2S");
    const pids = await pidsIn(file);
    await eventually(() => (pids.some(alive) ? undefined : true), 10_000, "the remote processes to end");
  });

  it("killing the execution ends the remote processes", async () => {
    const file = join(sshd.home, `kill-${randomUUID()}.pids`);
    const { flow } = await test.instance.deploy(taskFlow("ssh-kill", TYPE, keyLogin(stubborn(file))));
    const created = await test.instance.createExecution(flow.namespace, flow.id);
    const pids = await pidsIn(file);
    expect(pids.every(alive)).toBe(true);
    await test.instance.kill(created.id);
    const ended = await test.instance.waitForEnd(created.id, 20_000);
    expect(ended.state.current).toBe("KILLED");
    await eventually(() => (pids.some(alive) ? undefined : true), 10_000, "the remote processes to end");
  });

  it("streams 10 MB of stdout into the logs", async () => {
    const started = Date.now();
    const ex = await run(
      "ssh-10mb",
      keyLogin(commands("head -c 10000000 /dev/zero | tr '\\0' x | fold -w 1000", "echo", "echo done")),
      60_000,
    );
    expect(ex.state.current, errors(ex.id)).toBe("SUCCESS");
    const lines = logs(ex.id, "INFO");
    expect(lines).toHaveLength(10_001);
    expect(lines.slice(0, -1).every((l) => l.length === 1000 && /^x+$/.test(l))).toBe(true);
    expect(lines.at(-1)).toBe("done");
    console.log(`10 MB of stdout over SSH logged in ${Date.now() - started} ms`);
  }, 90_000);

  describe("logins", () => {
    it("PASSWORD logs in with username and password, as root too", async () => {
      for (const user of [sshd.user, "root"]) {
        const ex = await run(
          `ssh-password-${user}`,
          `host: 127.0.0.1\nport: "${sshd.port}"\nusername: ${user}\npassword: ${yaml(sshd.password)}\n${commands("id -un")}`,
        );
        expect(ex.state.current, errors(ex.id)).toBe("SUCCESS");
        expect(logs(ex.id, "INFO")).toEqual([user]);
        expectNoSecret(ex.id);
      }
    });

    it("PUBLIC_KEY logs in with a passphrase-protected PEM key", async () => {
      const ex = await run(
        "ssh-encrypted-key",
        `host: 127.0.0.1\nport: ${sshd.port}\nauthMethod: PUBLIC_KEY\nusername: ${sshd.user}\nprivateKey: ${yaml(sshd.encryptedKey.private)}\nprivateKeyPassphrase: ${yaml(sshd.passphrase)}\n${commands("echo keyed")}`,
      );
      expect(ex.state.current, errors(ex.id)).toBe("SUCCESS");
      expect(logs(ex.id, "INFO")).toEqual(["keyed"]);
      expectNoSecret(ex.id);
    });

    it("OPEN_SSH reads Host, HostName, Port, User, IdentityFile and UserKnownHostsFile from the configuration", async () => {
      const knownHosts = join(sshd.dir, "known_hosts");
      writeFileSync(knownHosts, `${sshd.knownHostsLine}\n`);
      const config = join(sshd.dir, "ssh_config");
      writeFileSync(
        config,
        `Host other\n  User nobody\n\nHost test-alias\n  HostName 127.0.0.1\n  Port ${sshd.port}\n  User ${sshd.user}\n  IdentityFile ${sshd.encryptedKey.path}\n  UserKnownHostsFile ${knownHosts}\n`,
      );
      const ex = await run(
        "ssh-openssh",
        `host: test-alias\nauthMethod: OPEN_SSH\nopenSSHConfigPath: ${config}\nprivateKeyPassphrase: ${yaml(sshd.passphrase)}\nstrictHostKeyChecking: "yes"\n${commands("id -un")}`,
      );
      expect(ex.state.current, errors(ex.id)).toBe("SUCCESS");
      expect(logs(ex.id, "INFO")).toEqual([sshd.user]);
      expectNoSecret(ex.id);
    });

    it("strictHostKeyChecking: yes refuses a host key the known hosts file does not list for the host", async () => {
      const knownHosts = join(sshd.dir, "known_hosts_other");
      writeFileSync(
        knownHosts,
        `${sshd.knownHostsLine.split(" ")[0]} ${sshd.otherKey.public.split(" ").slice(0, 2).join(" ")}\n`,
      );
      const config = join(sshd.dir, "ssh_config_other");
      writeFileSync(
        config,
        `Host *\n  HostName 127.0.0.1\n  Port ${sshd.port}\n  IdentityFile ${sshd.key.path}\n  UserKnownHostsFile ${knownHosts}\n`,
      );
      const ex = await run(
        "ssh-changed-key",
        `host: anything\nusername: ${sshd.user}\nauthMethod: OPEN_SSH\nopenSSHConfigPath: ${config}\nstrictHostKeyChecking: "yes"\n${commands("echo never")}`,
      );
      expect(ex.state.current).toBe("FAILED");
      expect(errors(ex.id)).toMatch(
        /Unable to connect to ssh:\/\/127\.0\.0\.1:\d+: the server's host key \(ssh-ed25519 SHA256:\S+\) is not the one the known hosts files .* list for '\[127\.0\.0\.1\]:\d+': it changed, or this is another server/,
      );
      expect(logs(ex.id, "INFO")).not.toContain("never");
    });

    it("a proxyCommand carries the connection", async () => {
      const proxy = join(sshd.dir, "proxy.cjs");
      writeFileSync(
        proxy,
        `const s = require("node:net").connect(Number(process.argv[3]), process.argv[2]);\nprocess.stdin.pipe(s).pipe(process.stdout);\ns.on("close", () => process.exit(0));\n`,
      );
      const ex = await run(
        "ssh-proxy",
        keyLogin(
          `proxyCommand: ${yaml(`"${process.execPath}" ${proxy} %h %p`)}\n${commands("echo through the proxy")}`,
        ),
      );
      expect(ex.state.current, errors(ex.id)).toBe("SUCCESS");
      expect(logs(ex.id, "INFO")).toEqual(["through the proxy"]);
      await eventually(() => (sshd.connections().length ? undefined : true), 5000, "the proxied connection to end");
    });
  });

  describe("mistakes a user can make", () => {
    const failure = async (id: string, props: string) => {
      const ex = await run(id, `${props}\n${commands("echo never")}`);
      expect(ex.state.current).toBe("FAILED");
      expect(logs(ex.id, "INFO")).not.toContain("never");
      expectNoSecret(ex.id);
      return errors(ex.id);
    };

    it("an unknown host", async () => {
      expect(
        await failure("ssh-unknown-host", `host: no-such-host.invalid\nusername: a\npassword: ${yaml(sshd.password)}`),
      ).toMatch(/Unable to connect to ssh:\/\/no-such-host\.invalid:22: cannot resolve host 'no-such-host\.invalid'/);
    });

    it("a port nothing listens on", async () => {
      const port = await closedPort();
      expect(
        await failure("ssh-refused", `host: 127.0.0.1\nport: ${port}\nusername: a\npassword: ${yaml(sshd.password)}`),
      ).toContain(
        `Unable to connect to ssh://127.0.0.1:${port}: connection refused (is an SSH server listening on that port? check host and port)`,
      );
    });

    it("a port where another kind of server answers", async () => {
      const sockets = new Set<Socket>();
      const http = createServer((socket) => {
        sockets.add(socket);
        socket.on("error", () => {});
        socket.end("HTTP/1.1 400 Bad Request\r\n\r\n");
      });
      await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
      const { port } = http.address() as AddressInfo;
      try {
        expect(
          await failure("ssh-not-ssh", `host: 127.0.0.1\nport: ${port}\nusername: a\npassword: ${yaml(sshd.password)}`),
        ).toContain(
          `Unable to connect to ssh://127.0.0.1:${port}: this is not an SSH server, or it closed the connection`,
        );
      } finally {
        for (const socket of sockets) socket.destroy();
        await new Promise((resolve) => http.close(resolve));
      }
    });

    it("a server that accepts and never answers stops at the task's timeout", async () => {
      const silent = await silentServer();
      try {
        expect(
          await failure(
            "ssh-silent",
            `timeout: PT1S\nhost: 127.0.0.1\nport: ${silent.port}\nusername: a\npassword: ${yaml(sshd.password)}`,
          ),
        ).toContain("Timeout after PT1S");
      } finally {
        await silent.close();
      }
    });

    it("a wrong password", async () => {
      expect(
        await failure(
          "ssh-wrong-password",
          `host: 127.0.0.1\nport: ${sshd.port}\nusername: ${sshd.user}\npassword: not-the-password`,
        ),
      ).toContain("the server refused the login with the password (check username and password)");
    });

    it("a key the user does not authorize", async () => {
      expect(
        await failure(
          "ssh-wrong-key",
          `host: 127.0.0.1\nport: ${sshd.port}\nauthMethod: PUBLIC_KEY\nusername: ${sshd.user}\nprivateKey: ${yaml(sshd.otherKey.private)}`,
        ),
      ).toContain("the server refused the login with the private key (check username and privateKey");
    });

    it("an encrypted key without its passphrase, or with a wrong one", async () => {
      const login = `host: 127.0.0.1\nport: ${sshd.port}\nauthMethod: PUBLIC_KEY\nusername: ${sshd.user}\nprivateKey: ${yaml(sshd.encryptedKey.private)}`;
      expect(await failure("ssh-no-passphrase", login)).toContain("privateKey is encrypted: set privateKeyPassphrase");
      expect(await failure("ssh-wrong-passphrase", `${login}\nprivateKeyPassphrase: wrong`)).toContain(
        "privateKeyPassphrase does not decrypt privateKey",
      );
    });

    it("a public key given as privateKey, or no key at all", async () => {
      const login = `host: 127.0.0.1\nport: ${sshd.port}\nauthMethod: PUBLIC_KEY\nusername: ${sshd.user}`;
      expect(await failure("ssh-public-key", `${login}\nprivateKey: ${yaml(sshd.key.public)}`)).toContain(
        "privateKey is a public key: give the private key",
      );
      expect(await failure("ssh-no-key", login)).toContain("privateKey is required with authMethod PUBLIC_KEY");
    });

    it("PASSWORD without a password or a username", async () => {
      expect(await failure("ssh-no-password", `host: 127.0.0.1\nport: ${sshd.port}\nusername: ${sshd.user}`)).toContain(
        "password is required with authMethod PASSWORD",
      );
      expect(await failure("ssh-no-user", `host: 127.0.0.1\npassword: x`)).toContain(
        "username is required with authMethod PASSWORD",
      );
    });

    it("strictHostKeyChecking: yes without OPEN_SSH (no known hosts file)", async () => {
      expect(await failure("ssh-strict", keyLogin('strictHostKeyChecking: "yes"'))).toMatch(
        /the server's host key \(ssh-ed25519 SHA256:\S+\) is not in the known hosts files \(none\).*use authMethod OPEN_SSH/,
      );
    });

    it("OPEN_SSH with a configuration file that does not exist", async () => {
      expect(
        await failure(
          "ssh-no-config",
          `host: x\nauthMethod: OPEN_SSH\nopenSSHConfigPath: ${join(sshd.dir, "missing")}`,
        ),
      ).toContain(`openSSHConfigPath: cannot read the OpenSSH configuration '${join(sshd.dir, "missing")}' (ENOENT)`);
    });

    it("a proxyCommand that exits at once", async () => {
      expect(
        await failure("ssh-bad-proxy", keyLogin(`proxyCommand: ${yaml("echo proxy failed >&2; exit 3")}`)),
      ).toContain("proxyCommand exited with code 3 before the SSH login: proxy failed");
    });
  });
});
