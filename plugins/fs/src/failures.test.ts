/**
 * What goes wrong, for SFTP and FTP through a real engine instance: unreachable and silent
 * servers (a clear error in time, never a hang), bad keys and certificates, settings Saker does
 * not support, a hostile directory listing, and the password kept out of logs and outputs.
 * Also key-based SFTP logins.
 */
import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import ssh2 from "ssh2";
import {
  PASSWORD,
  USER,
  closedPort,
  ftpServer,
  outputsOf,
  sftpServer,
  silentServer,
  taskFlow,
} from "../test/support.ts";
import { fsFixture } from "../test/fixture.ts";
import { ed25519KeyPair } from "../test/sftpServer.ts";

const passphrase = "key-pass-phrase";
const rsa = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  publicKeyEncoding: { type: "spki", format: "pem" },
  privateKeyEncoding: { type: "pkcs1", format: "pem", cipher: "aes-256-cbc", passphrase },
});
const other = ed25519KeyPair();
const publicKeyOf = (privateKey: string, pass?: string) => {
  const parsed = ssh2.utils.parseKey(privateKey, pass);
  if (parsed instanceof Error) throw parsed;
  const key = Array.isArray(parsed) ? parsed[0]! : parsed;
  return `${key.type} ${key.getPublicSSH().toString("base64")}`;
};

const { test, servers, errors, put } = fsFixture({
  sftp: () =>
    sftpServer({
      users: { [USER]: { password: PASSWORD }, keyed: { publicKey: publicKeyOf(rsa.privateKey, passphrase) } },
      hostileNames: ["../../escape.txt"],
    }),
  ftp: () => ftpServer(),
  ftps: () => ftpServer({ tls: true }),
  homed: () => sftpServer({ home: "/home/alice" }),
  implicit: () => ftpServer({ tls: "implicit" }),
});

const everything = (executionId: string) =>
  JSON.stringify(test.instance.logs.find({ executionId })) + JSON.stringify(test.instance.executions.get(executionId));

describe.each(["sftp", "ftp"] as const)("%s failures", (protocol) => {
  const type = (name: string) => `io.kestra.plugin.fs.${protocol}.${name}`;

  it("fails at once with a clear error when nothing listens on the port", async () => {
    const port = await closedPort();
    const ex = await test.run(
      taskFlow(
        `${protocol}-refused`,
        type("List"),
        `host: 127.0.0.1\nport: ${port}\nusername: ${USER}\npassword: ${PASSWORD}\nfrom: /`,
      ),
    );
    expect(ex.state.current).toBe("FAILED");
    expect(errors(ex.id)).toMatch(new RegExp(`Unable to connect to ${protocol}://127.0.0.1:${port}.*ECONNREFUSED`));
  });

  it("refuses a host in the instance's refused address ranges before connecting", async () => {
    const ex = await test.run(
      taskFlow(`${protocol}-metadata`, type("List"), `host: 169.254.169.254\nusername: ${USER}\nfrom: /`),
    );
    expect(ex.state.current).toBe("FAILED");
    expect(errors(ex.id)).toContain("connecting to 169.254.169.254 is refused");
  });

  it("stops at the task's timeout when the server accepts and never answers", async () => {
    const silent = await silentServer();
    try {
      const ex = await test.run(
        taskFlow(
          `${protocol}-silent`,
          type("Download"),
          `timeout: PT1S\nhost: 127.0.0.1\nport: ${silent.port}\nusername: ${USER}\npassword: ${PASSWORD}\nfrom: /a.txt`,
        ),
      );
      expect(ex.state.current).toBe("FAILED");
      expect(errors(ex.id)).toMatch(/Timeout after/);
    } finally {
      await silent.close();
    }
  });

  it("keeps an upload whose `to` climbs with ../ under the root", async () => {
    const server = servers[protocol]!;
    const ex = await test.run(
      taskFlow(
        `${protocol}-climb`,
        type("Upload"),
        `${server.connection()}\nfrom: "{{ outputs.write.uri }}"\nto: "../../${protocol}-climbed.txt"`,
        `  - id: write
    type: io.kestra.plugin.core.storage.Write
    content: climbed
`,
      ),
    );
    expect(ex.state.current, errors(ex.id)).toBe("SUCCESS");
    expect(outputsOf(ex, "t").to).toBe(`${protocol}://127.0.0.1/${protocol}-climbed.txt`);
    expect(readFileSync(join(server.root, `${protocol}-climbed.txt`), "utf8")).toBe("climbed");
  });

  it("keeps the password out of logs and outputs when everything works", async () => {
    const server = servers[protocol]!;
    put(server, `/${protocol}-secret/a.txt`, "a");
    const ex = await test.run(
      taskFlow(
        `${protocol}-secret`,
        type("Downloads"),
        `logLevel: TRACE\n${server.connection()}\nfrom: "/${protocol}-secret"\naction: DELETE`,
      ),
    );
    expect(ex.state.current, errors(ex.id)).toBe("SUCCESS");
    expect(everything(ex.id)).not.toContain(PASSWORD);
  });
});

describe("FTP settings", () => {
  it("a silent server fails within options.connectionTimeout, without a task timeout", async () => {
    const silent = await silentServer();
    try {
      const ex = await test.run(
        taskFlow(
          "ftp-conn-timeout",
          "io.kestra.plugin.fs.ftp.List",
          `host: 127.0.0.1\nport: ${silent.port}\nfrom: /\noptions:\n  connectionTimeout: PT0.5S`,
        ),
      );
      expect(ex.state.current).toBe("FAILED");
      expect(errors(ex.id)).toMatch(/Unable to connect to ftp:\/\/127.0.0.1:\d+: .*timed out after 500 ms/);
    } finally {
      await silent.close();
    }
  });

  it("FTPS speaks implicit TLS with mode IMPLICIT", async () => {
    put(servers.implicit!, "/imp/a.txt", "implicit");
    const ex = await test.run(
      taskFlow(
        "ftps-implicit",
        "io.kestra.plugin.fs.ftps.Download",
        `${servers.implicit!.connection()}\nfrom: /imp/a.txt`,
      ),
    );
    expect(ex.state.current, errors(ex.id)).toBe("SUCCESS");
    expect(outputsOf(ex, "t").from).toBe("ftps://127.0.0.1/imp/a.txt");
  });

  it("FTPS checks the server's certificate unless told not to", async () => {
    put(servers.ftps!, "/tls/a.txt", "over tls");
    const refused = await test.run(
      taskFlow(
        "ftps-untrusted",
        "io.kestra.plugin.fs.ftps.List",
        `${servers.ftps!.connection({ insecureTrustAllCertificates: false })}\nfrom: /tls`,
      ),
    );
    expect(refused.state.current).toBe("FAILED");
    expect(errors(refused.id)).toMatch(/self[- ]signed certificate/);
  });
});

describe("SFTP keys and hostile servers", () => {
  const server = () => servers.sftp!;

  it("logs in with a passphrase-protected PEM key", async () => {
    put(server(), "/keyed/k.txt", "k");
    const ex = await test.run(
      taskFlow(
        "sftp-key",
        "io.kestra.plugin.fs.sftp.List",
        `host: 127.0.0.1\nport: ${server().port}\nusername: keyed\nkeyfile: ${JSON.stringify(rsa.privateKey)}\npassphrase: ${passphrase}\nfrom: /keyed`,
      ),
    );
    expect(ex.state.current, errors(ex.id)).toBe("SUCCESS");
    expect((outputsOf(ex, "t").files as { name: string }[]).map((f) => f.name)).toEqual(["k.txt"]);
    expect(everything(ex.id)).not.toContain(passphrase);
  });

  it("fails with another key, or a wrong passphrase, naming the cause", async () => {
    const wrongKey = await test.run(
      taskFlow(
        "sftp-wrong-key",
        "io.kestra.plugin.fs.sftp.List",
        `host: 127.0.0.1\nport: ${server().port}\nusername: keyed\nkeyfile: ${JSON.stringify(other.private)}\nfrom: /`,
      ),
    );
    expect(wrongKey.state.current).toBe("FAILED");
    expect(errors(wrongKey.id)).toMatch(/refused the login/);
    const wrongPass = await test.run(
      taskFlow(
        "sftp-wrong-pass",
        "io.kestra.plugin.fs.sftp.List",
        `host: 127.0.0.1\nport: ${server().port}\nusername: keyed\nkeyfile: ${JSON.stringify(rsa.privateKey)}\npassphrase: nope\nfrom: /`,
      ),
    );
    expect(wrongPass.state.current).toBe("FAILED");
    expect(errors(wrongPass.id)).toMatch(/Unable to connect to sftp:\/\/127.0.0.1:\d+: .*(passphrase|decrypt|parse)/i);
  });

  it("skips listing entries whose names would climb out of the directory", async () => {
    put(server(), "/hostile/ok.txt", "ok");
    const ex = await test.run(
      taskFlow("sftp-hostile", "io.kestra.plugin.fs.sftp.Downloads", `${server().connection()}\nfrom: /hostile`),
    );
    expect(ex.state.current, errors(ex.id)).toBe("SUCCESS");
    expect(Object.keys(outputsOf(ex, "t").outputFiles as object)).toEqual(["ok.txt"]);
  });
});

describe("Downloads", () => {
  it("refuses action MOVE without moveDirectory before downloading anything", async () => {
    const ex = await test.run(
      taskFlow(
        "downloads-no-dir",
        "io.kestra.plugin.fs.sftp.Downloads",
        `host: 127.0.0.1\nport: 1\nfrom: /in\naction: MOVE`,
      ),
    );
    expect(ex.state.current).toBe("FAILED");
    expect(errors(ex.id)).toContain("moveDirectory is required when action is MOVE");
  });
});

describe("port", () => {
  it("takes the port as a string too, as Kestra declares it", async () => {
    const server = servers.sftp!;
    put(server, "/strport/a.txt", "a");
    const ex = await test.run(
      taskFlow(
        "sftp-port-string",
        "io.kestra.plugin.fs.sftp.List",
        `${server.connection({ port: String(server.port) })}\nfrom: /strport`,
      ),
    );
    expect(ex.state.current, errors(ex.id)).toBe("SUCCESS");
    expect((outputsOf(ex, "t").files as unknown[]).length).toBe(1);
  });
});

describe("rootDir", () => {
  it("takes paths from the user's home by default, and from / with rootDir false", async () => {
    const server = servers.homed!;
    put(server, "/home/alice/in/mine.txt", "home");
    put(server, "/in/theirs.txt", "root");
    const home = await test.run(
      taskFlow("sftp-home", "io.kestra.plugin.fs.sftp.List", `${server.connection()}\nfrom: /in`),
    );
    expect(home.state.current, errors(home.id)).toBe("SUCCESS");
    expect((outputsOf(home, "t").files as { path: string }[]).map((f) => f.path)).toEqual(["/in/mine.txt"]);
    const root = await test.run(
      taskFlow(
        "sftp-root",
        "io.kestra.plugin.fs.sftp.Downloads",
        `${server.connection()}\nfrom: /in\nrootDir: false\naction: MOVE\nmoveDirectory: /done`,
      ),
    );
    expect(root.state.current, errors(root.id)).toBe("SUCCESS");
    expect(Object.keys(outputsOf(root, "t").outputFiles as object)).toEqual(["theirs.txt"]);
    expect(readFileSync(join(server.root, "done/theirs.txt"), "utf8")).toBe("root");
    const moved = await test.run(
      taskFlow(
        "sftp-home-move",
        "io.kestra.plugin.fs.sftp.Move",
        `${server.connection()}\nfrom: /in/mine.txt\nto: /archive/`,
      ),
    );
    expect(moved.state.current, errors(moved.id)).toBe("SUCCESS");
    expect(outputsOf(moved, "t").to).toBe("sftp://127.0.0.1/archive/mine.txt");
    expect(readFileSync(join(server.root, "home/alice/archive/mine.txt"), "utf8")).toBe("home");
  });
});
