/**
 * The git tasks over SSH, against a real SSH server on loopback (ssh2's Server running the
 * machine's git-upload-pack and git-receive-pack on bare repositories): Clone with an Ed25519 key,
 * Clone then Push with an encrypted RSA key (the origin stored by Clone is the SSH URL), PushFlows
 * then SyncFlows with a PEM ECDSA key, a password login, and what happens with a key the server
 * does not know, a wrong or missing passphrase, an unreadable key, a missing repository, a server
 * that is down, silent, hanging or that never starts the command; the key and its passphrase appear
 * in no log line, output or error. A push over a slow link outlasting readTimeout, and the
 * transport itself: a ref advertisement of many SSH packets given byte for byte, a request for the
 * other service refused with its connection closed. After each flow (and each transport call) the
 * server has no connection left open.
 */
import { spawnSync } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { createServer, type AddressInfo, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import ssh2 from "ssh2";
import type { RunContext } from "@saker/sdk";
import type { Execution, TestInstance } from "@saker/engine/testing";
import { namespaceFiles } from "@saker/engine/testing";
import { remoteOf } from "./remote.ts";
import { AdvertisementReader, sshTransport } from "./ssh.ts";
import { SSH_STAND_IN_URL } from "./sshUrl.ts";
import {
  diffRows,
  gitFlow,
  gitInstance,
  logFlow,
  logsOf,
  startGitServer,
  startSilentServer,
  storedText,
  taskRun,
  type TestGitServer,
} from "../test/support.ts";
import { ed25519KeyPair, startSshGitServer, type TestSshServer } from "../test/sshServer.ts";

const PASSPHRASE = "pass-7c21e9f0";
const SSH_PASSWORD = "ssh-pw-51d0a3";
const ed25519 = ed25519KeyPair();
const rsa = ssh2.utils.generateKeyPairSync("rsa", { bits: 2048, passphrase: PASSPHRASE, cipher: "aes256-cbc" });
const ecdsaPem = generateKeyPairSync("ec", {
  namedCurve: "prime256v1",
  privateKeyEncoding: { type: "sec1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
}).privateKey;
const stranger = ed25519KeyPair();

let test: TestInstance;
let git: TestGitServer;
let ssh: TestSshServer;

beforeAll(async () => {
  test = await gitInstance();
  git = await startGitServer();
  git.createRepo("app", { "README.md": "hello\n", "src/main.sh": "echo main\n" });
  git.createRepo("flows");
  git.createRepo("slowpush");
  git.createRepo("manyrefs", { "README.md": "refs\n" });
  // 3000 tags: an advertisement of about 200 kB, many SSH packets
  const tags = Array.from({ length: 3000 }, (_, i) => `create refs/tags/v${i} main\n`).join("");
  spawnSync("git", ["update-ref", "--stdin"], { cwd: join(git.root, "repos", "manyrefs.git"), input: tags });
  ssh = await startSshGitServer({
    repos: join(git.root, "repos"),
    keys: [{ private: ed25519.private }, { private: rsa.private, passphrase: PASSPHRASE }, { private: ecdsaPem }],
    password: SSH_PASSWORD,
  });
});
afterAll(async () => {
  await test?.close();
  await ssh?.close();
  await git?.close();
});

/** Runs a flow (waiting `timeoutMs` at most); then no SSH connection may be left open on the server. */
async function run(source: string, timeoutMs?: number): Promise<Execution> {
  const ex = await test.run(source, {}, timeoutMs);
  await ssh.idle();
  return ex;
}

/** `privateKey` (and `passphrase`) as YAML lines: the key as a block scalar. */
function keyProps(key: string, passphrase?: string): string {
  const block = key
    .trim()
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n");
  return `privateKey: |\n${block}${passphrase === undefined ? "" : `\npassphrase: ${passphrase}`}`;
}

/** The key's lines (any of them would give it away), its passphrase: none may appear in `ex` or its logs. */
function expectNoSecret(ex: Execution, key: string, passphrase?: string): void {
  const seen = JSON.stringify(ex) + logsOf(test, ex.id);
  for (const line of key.split("\n").filter((l) => l.length > 20 && !l.startsWith("-----")))
    expect(seen).not.toContain(line);
  if (passphrase) expect(seen).not.toContain(passphrase);
}

/** A WorkingDirectory: the `tasks` (YAML, at task level), then LocalFiles storing the files matching `globs`. */
const wdirFlow = (id: string, namespace: string, tasks: string, globs: string[]) => `id: ${id}
namespace: ${namespace}
tasks:
  - id: wdir
    type: io.kestra.plugin.core.flow.WorkingDirectory
    tasks:
${tasks
  .trim()
  .split("\n")
  .map((l) => `      ${l}`)
  .join("\n")}
      - id: read
        type: io.kestra.plugin.core.storage.LocalFiles
        outputs: ${JSON.stringify(globs)}
`;

/** A task of this plugin with YAML `props`, as an item of a task list. */
const task = (id: string, type: string, props: string) =>
  `- id: ${id}\n  type: io.kestra.plugin.git.${type}\n${props
    .trim()
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n")}`;

async function filesOf(ex: Execution): Promise<Record<string, string>> {
  const uris = (taskRun(ex, "read").outputs as { uris: Record<string, string> }).uris;
  const files: Record<string, string> = {};
  for (const [path, uri] of Object.entries(uris)) files[path] = await storedText(test, uri);
  return files;
}

describe("over SSH", () => {
  it("clones with an Ed25519 key, storing the SSH URL as origin", async () => {
    const ex = await run(
      wdirFlow(
        "ssh-clone",
        "company.ssh",
        task("clone", "Clone", `url: ${ssh.url("app")}\n${keyProps(ed25519.private)}`),
        ["src/*", "*.md", ".git/config"],
      ),
    );
    expect(ex.state.current, logsOf(test, ex.id)).toBe("SUCCESS");
    const files = await filesOf(ex);
    expect(files["README.md"]).toBe("hello\n");
    expect(files["src/main.sh"]).toBe("echo main\n");
    expect(files[".git/config"]).toContain(`url = ${ssh.url("app")}`);
    expect(ssh.execs).toContain("git-upload-pack '/app.git'");
    expect(ssh.logins).toContain("git:publickey");
    expect(logsOf(test, ex.id)).toContain(`Start cloning from '${ssh.url("app")}'`);
    expectNoSecret(ex, ed25519.private);
  });

  it("clones then pushes with an encrypted RSA key: the commit arrives in the bare repository", async () => {
    const auth = keyProps(rsa.private, PASSPHRASE);
    const ex = await run(
      wdirFlow(
        "ssh-push",
        "company.ssh",
        [
          task("clone", "Clone", `url: ${ssh.url("app")}\nbranch: main\n${auth}`),
          task(
            "push",
            "Push",
            `${auth}\nbranch: ssh-feature\nflows:\n  enabled: false\ninputFiles:\n  report.txt: "pushed over ssh"\ncommitMessage: over ssh\nauthor:\n  name: Tester\n  email: tester@example.com`,
          ),
        ].join("\n"),
        ["report.txt"],
      ),
    );
    expect(ex.state.current, logsOf(test, ex.id)).toBe("SUCCESS");
    expect(git.git("app", "log", "--format=%an <%ae>|%s", "ssh-feature").trim().split("\n")[0]).toBe(
      "Tester <tester@example.com>|over ssh",
    );
    expect(git.show("app", "report.txt", "ssh-feature")).toBe("pushed over ssh");
    expect(git.show("app", "README.md", "ssh-feature")).toBe("hello\n");
    expect(git.show("app", "report.txt")).toBeUndefined(); // main untouched
    expect(ssh.execs).toContain("git-receive-pack '/app.git'");
    expect((taskRun(ex, "push").outputs as { commitId: string }).commitId).toBe(
      git.git("app", "rev-parse", "ssh-feature").trim(),
    );
    expectNoSecret(ex, rsa.private, PASSPHRASE);
  });

  it("pushes flows into an empty repository then syncs them back, with a PEM ECDSA key", async () => {
    await test.instance.deploy(logFlow("company.sshsrc", "a"));
    await test.instance.deploy(logFlow("company.sshsrc", "b", "bye"));
    const auth = `url: ${ssh.url("flows")}\n${keyProps(ecdsaPem)}`;
    const push = await run(
      gitFlow(
        "ssh-pushflows",
        "company.ops",
        "PushFlows",
        `${auth}\nsourceNamespace: company.sshsrc\ncommitMessage: flows`,
      ),
    );
    expect(push.state.current, logsOf(test, push.id)).toBe("SUCCESS");
    expect(git.show("flows", "_flows/a.yml")).toBe(logFlow("company.sshsrc", "a"));
    const out = taskRun(push, "git").outputs as Record<string, string>;
    expect(out.commitURL).toBe(`https://127.0.0.1/flows/commit/${out.commitId}`);

    const sync = await run(
      gitFlow("ssh-syncflows", "company.ops", "SyncFlows", `${auth}\ntargetNamespace: company.sshdst`),
    );
    expect(sync.state.current, logsOf(test, sync.id)).toBe("SUCCESS");
    expect(test.instance.flows.stored("company.sshdst", "b")?.source).toContain("message: bye");
    const rows = await diffRows(test, (taskRun(sync, "git").outputs as Record<string, string>).flows);
    expect(rows.map((r) => `${String(r.flowId)}:${String(r.syncState)}`).sort()).toEqual(["a:ADDED", "b:ADDED"]);
    expectNoSecret(push, ecdsaPem);
    expectNoSecret(sync, ecdsaPem);
  });
});

describe("over SSH, with a password", () => {
  it("logs in with password when the server allows it, and never shows it", async () => {
    const ex = await run(
      wdirFlow(
        "ssh-password",
        "company.ssh",
        task(
          "clone",
          "Clone",
          `url: ${ssh.url("app").replace("ssh://git@", "ssh://deploy@")}\npassword: ${SSH_PASSWORD}`,
        ),
        ["*.md"],
      ),
    );
    expect(ex.state.current, logsOf(test, ex.id)).toBe("SUCCESS");
    expect(await filesOf(ex)).toEqual({ "README.md": "hello\n" });
    expect(ssh.logins).toContain("deploy:password");
    expect(JSON.stringify(ex) + logsOf(test, ex.id)).not.toContain(SSH_PASSWORD);

    const wrong = await run(
      gitFlow("ssh-password-wrong", "company.ssh", "Clone", `url: ${ssh.url("app")}\npassword: ${SSH_PASSWORD}-x`),
    );
    expect(wrong.state.current).toBe("FAILED");
    expect(logsOf(test, wrong.id)).toContain("password: cannot list the branches of");
    expect(logsOf(test, wrong.id)).toContain("the server refused the password for user 'git'");
    expect(JSON.stringify(wrong) + logsOf(test, wrong.id)).not.toContain(SSH_PASSWORD);
  });
});

describe("over SSH, failures", () => {
  const clone = async (id: string, props: string) => {
    const ex = await run(gitFlow(id, "company.ssh", "Clone", props));
    expect(ex.state.current).toBe("FAILED");
    return { ex, logs: logsOf(test, ex.id) };
  };

  it("refuses a key the server does not know, and never shows it", async () => {
    const { ex, logs } = await clone("ssh-stranger", `url: ${ssh.url("app")}\n${keyProps(stranger.private)}`);
    expect(logs).toContain(
      `privateKey: cannot list the branches of ${ssh.url("app")}: the server refused the SSH key (privateKey) for user 'git'`,
    );
    expectNoSecret(ex, stranger.private);
  });

  it("fails clearly with a wrong or missing passphrase, or a key it cannot read", async () => {
    const wrong = await clone(
      "ssh-wrongpass",
      `url: ${ssh.url("app")}\n${keyProps(rsa.private, "not-the-passphrase")}`,
    );
    expect(wrong.logs).toContain("passphrase: cannot list the branches of");
    expect(wrong.logs).toContain("passphrase does not decrypt privateKey (wrong passphrase)");
    expectNoSecret(wrong.ex, rsa.private, "not-the-passphrase");

    const missing = await clone("ssh-nopass", `url: ${ssh.url("app")}\n${keyProps(rsa.private)}`);
    expect(missing.logs).toContain("privateKey is encrypted: set passphrase");
    expectNoSecret(missing.ex, rsa.private);

    const garbage =
      "-----BEGIN OPENSSH PRIVATE KEY-----\nbm90IGEga2V5IGF0IGFsbCwganVzdCB0ZXh0IGhlcmU=\n-----END OPENSSH PRIVATE KEY-----";
    const unreadable = await clone("ssh-garbage", `url: ${ssh.url("app")}\n${keyProps(garbage)}`);
    expect(unreadable.logs).toContain("privateKey is not a private key Saker can read");
    expectNoSecret(unreadable.ex, garbage);

    const pub = await clone("ssh-public", `url: ${ssh.url("app")}\nprivateKey: "${ed25519.public.trim()}"`);
    expect(pub.logs).toContain("privateKey holds a public key");
  });

  it("fails clearly for a missing repository, a server that is down, silent or hanging, or no key", async () => {
    const missing = await clone("ssh-norepo", `url: ${ssh.url("nothing")}\n${keyProps(ed25519.private)}`);
    expect(missing.logs).toMatch(
      /url: cannot list the branches of .*nothing\.git: the server refused: fatal: .*nothing\.git' does not appear to be a git repository/,
    );
    expect(missing.logs).toContain("check that the repository exists");
    expectNoSecret(missing.ex, ed25519.private);

    const down = await clone("ssh-down", `url: ssh://git@127.0.0.1:1/app.git\n${keyProps(ed25519.private)}`);
    expect(down.logs).toContain("the server cannot be reached (ECONNREFUSED)");

    const web = await startSilentServer(); // an HTTP server: it answers an SSH greeting with a 400
    try {
      const port = new URL(web.url).port;
      const notSsh = await clone("ssh-web", `url: ssh://git@127.0.0.1:${port}/app.git\n${keyProps(ed25519.private)}`);
      expect(notSsh.logs).toContain(`127.0.0.1:${port} did not answer as an SSH server`);
    } finally {
      await web.close();
    }
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket)); // accepts, never says a word
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const port = (silent.address() as AddressInfo).port;
      const handshake = await clone(
        "ssh-silent",
        `url: ssh://git@127.0.0.1:${port}/app.git\n${keyProps(ed25519.private)}\nconnectTimeout: 500`,
      );
      expect(handshake.logs).toContain(`the SSH handshake with 127.0.0.1:${port} did not complete within 500 ms`);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
    const hang = await clone("ssh-hang", `url: ${ssh.url("hang")}\n${keyProps(ed25519.private)}\nreadTimeout: 500`);
    expect(hang.logs).toContain("no answer from the server within 500 ms");

    const noexec = await clone(
      "ssh-noexec",
      `url: ${ssh.url("noexec")}\n${keyProps(ed25519.private)}\nconnectTimeout: 2000\nreadTimeout: 60000`,
    );
    expect(noexec.logs).toContain("the server did not start git-upload-pack within 2000 ms");

    const nokey = await clone("ssh-nokey", `url: git@127.0.0.1:app.git`);
    expect(nokey.logs).toContain("git@127.0.0.1:app.git is an SSH URL: set privateKey");

    const http = await clone("ssh-httpkey", `url: ${git.url("app")}\n${keyProps(ed25519.private)}`);
    expect(http.logs).toContain("privateKey is for SSH URLs");
    expectNoSecret(http.ex, ed25519.private);
  });
});

describe("over SSH, stopped by the task's timeout", () => {
  it("while the server has not answered the exec request: the connection is closed", async () => {
    const started = Date.now();
    const killed = await run(
      gitFlow(
        "ssh-noexec-timeout",
        "company.ssh",
        "Clone",
        `timeout: PT1S\nurl: ${ssh.url("noexec")}\n${keyProps(ed25519.private)}\nconnectTimeout: 60000\nreadTimeout: 60000`,
      ),
    );
    expect(killed.state.current).toBe("FAILED");
    expect(logsOf(test, killed.id)).toMatch(/Timeout after/i);
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});

describe("over SSH, a slow link", () => {
  it("pushes a pack whose upload takes longer than readTimeout, the server taking it in as it comes", async () => {
    // random bytes do not compress: a pack of about 12 MB, which the server reads at about 4 MB/s (3 s
    // or more), taking in 2 MB more of it (ssh2's window) about every 0.5 s
    const big = randomBytes(12 * 1024 * 1024);
    await namespaceFiles(test.instance.storage, "company.sshslow").put("big.bin", big);
    const started = Date.now();
    const ex = await run(
      gitFlow(
        "ssh-slowpush",
        "company.sshslow",
        "PushNamespaceFiles",
        `url: ${ssh.url("slowpush")}\n${keyProps(ed25519.private)}\nreadTimeout: 2000`,
      ),
      90_000, // packing 12 MB in JavaScript takes seconds more on a busy machine
    );
    expect(ex.state.current, logsOf(test, ex.id)).toBe("SUCCESS");
    expect(Date.now() - started).toBeGreaterThan(3000); // the upload outlasted readTimeout
    expect(git.git("slowpush", "cat-file", "-s", "main:_files/big.bin").trim()).toBe(String(big.length));
    expect(ssh.execs).toContain("git-receive-pack '/slowpush.git'");
  });
});

/** An SSH transport for `url` with the Ed25519 key, outside any task run. */
function transportOf(url: string) {
  const ctx = {
    flow: { namespace: "company.ssh", id: "transport" },
    task: { id: "git", type: "io.kestra.plugin.git.Clone" },
    signal: new AbortController().signal,
    logger: { trace: () => {}, debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  } as unknown as RunContext;
  const remote = remoteOf(ctx, { url, privateKey: ed25519.private });
  return sshTransport(
    ctx,
    { ...remote, ssh: remote.ssh! },
    { privateKey: ed25519.private },
    { connectTimeout: 10_000, readTimeout: 10_000 },
  );
}

async function* nothing(): AsyncIterableIterator<Uint8Array> {}

async function bodyOf(body: AsyncIterable<Uint8Array> | undefined): Promise<Uint8Array[]> {
  const parts: Uint8Array[] = [];
  for await (const part of body ?? []) parts.push(part);
  return parts;
}

describe("the SSH transport", () => {
  const infoRefs = (service: string) => ({ url: `${SSH_STAND_IN_URL}/info/refs?service=${service}`, method: "GET" });

  it("answers the GET with the server's ref advertisement byte for byte, however many packets it takes", async () => {
    const transport = transportOf(ssh.url("manyrefs"));
    try {
      const res = await transport.http.request({ ...infoRefs("git-upload-pack"), headers: {} });
      const parts = await bodyOf(res.body);
      // what git-upload-pack writes before it reads the client's flush-pkt (and exits)
      const advertised = spawnSync("git", ["upload-pack", join(git.root, "repos", "manyrefs.git")], {
        input: "0000",
        env: { PATH: process.env.PATH, HOME: tmpdir(), GIT_CONFIG_NOSYSTEM: "1" },
      }).stdout;
      expect(advertised.length).toBeGreaterThan(150_000);
      expect(
        Buffer.concat(parts).equals(Buffer.concat([Buffer.from("001e# service=git-upload-pack\n0000"), advertised])),
      ).toBe(true);
      expect(parts.length).toBeGreaterThan(3); // the advertisement came in several chunks, given as they came
    } finally {
      transport.release();
    }
    await ssh.idle();
  });

  it("refuses a POST of the other service than the GET before it, and closes that GET's connection", async () => {
    const transport = transportOf(ssh.url("app"));
    try {
      await bodyOf((await transport.http.request({ ...infoRefs("git-upload-pack"), headers: {} })).body);
      expect(ssh.connections).toBe(1);
      await expect(
        transport.http.request({
          url: `${SSH_STAND_IN_URL}/git-receive-pack`,
          method: "POST",
          headers: {},
          body: nothing(),
        }),
      ).rejects.toThrow("git-receive-pack was asked for without its reference advertisement");
      await ssh.idle();
    } finally {
      transport.release();
    }
  });
});

describe("the advertisement reader", () => {
  const pkt = (text: string) => `${(text.length + 4).toString(16).padStart(4, "0")}${text}`;
  const reader = () =>
    new AdvertisementReader(
      (data) => new Error(`not git: ${data.toString("latin1")}`),
      (message) => new Error(`refused: ${message}`),
    );
  /** Feeds `data` cut at `cuts`; the chunk index at which the reader said it was done, and its end. */
  const feed = (data: Buffer, cuts: number[]) => {
    const r = reader();
    const bounds = [0, ...cuts, data.length];
    for (let i = 0; i + 1 < bounds.length; i++)
      if (r.push(data.subarray(bounds[i], bounds[i + 1]))) return { at: i, end: r.end };
    return { at: -1, end: r.end };
  };

  it("finds the flush-pkt ending the advertisement however the data is cut", () => {
    const advertisement =
      pkt(`${"a".repeat(40)} HEAD\0multi_ack side-band-64k\n`) + pkt(`${"b".repeat(40)} refs/heads/main\n`) + "0000";
    const data = Buffer.from(`${advertisement}0008NAK\nPACK`, "latin1");
    const end = advertisement.length;
    for (let size = 1; size <= data.length; size++) {
      const cuts: number[] = [];
      for (let at = size; at < data.length; at += size) cuts.push(at);
      const { at, end: found } = feed(data, cuts);
      expect(found, `slices of ${size}`).toBe(end);
      expect(at).toBe([0, ...cuts].filter((c) => c < end).length - 1); // done with the chunk holding the flush-pkt's end
    }
    for (let a = 1; a < data.length; a++)
      for (let b = a + 1; b < data.length; b += 7) expect(feed(data, [a, b]).end).toBe(end);
    expect(feed(Buffer.from("0000", "latin1"), [1, 2, 3]).end).toBe(4); // an empty repository's lone flush-pkt
    expect(feed(Buffer.from(pkt("x\n"), "latin1"), [3]).end).toBe(-1); // not finished
  });

  it("fails on an ERR pkt-line and on what is not a pkt-line, wherever the chunks are cut", () => {
    const err = Buffer.from(`${pkt("ERR access denied\n")}0000`, "latin1");
    for (let cut = 1; cut < err.length; cut++)
      expect(() => feed(err, [cut]), `cut at ${cut}`).toThrow("refused: access denied");
    const banner = Buffer.from("Welcome to the shell\n", "latin1");
    for (let cut = 1; cut < banner.length; cut++) expect(() => feed(banner, [cut])).toThrow("not git: Welc");
    expect(() => feed(Buffer.from(`${pkt("x\n")}0002`, "latin1"), [2])).toThrow("not git: 0002");
  });
});
