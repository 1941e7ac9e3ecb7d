import { createHmac, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { checkKnownHost, expandPath, hostConfig, knownHostsName } from "./openSsh.ts";

describe("hostConfig", () => {
  const config = `# global
IdentityFile ~/.ssh/global_key
Port 2200

Host db-* !db-secret
  HostName %h.internal.example
  User=admin
  Port 2222
  IdentityFile "~/.ssh/db key"
  UserKnownHostsFile ~/.ssh/known_db /etc/ssh/known_more
  ConnectTimeout 7

Host *
  User fallback
  ServerAliveInterval 20
  HostKeyAlias shared

Match host web
  User ignored
Include other.conf
`;

  it("takes the first value of each keyword over the blocks that match, and every IdentityFile", () => {
    expect(hostConfig(config, "db-1")).toEqual({
      hostName: "db-1.internal.example",
      user: "admin",
      port: 2200,
      identityFiles: ["~/.ssh/global_key", "~/.ssh/db key"],
      userKnownHostsFiles: ["~/.ssh/known_db", "/etc/ssh/known_more"],
      connectTimeout: 7,
      serverAliveInterval: 20,
      hostKeyAlias: "shared",
      ignored: ["Match host web"],
    });
  });

  it("skips a block whose negated pattern matches, and Match blocks", () => {
    const secret = hostConfig(config, "db-secret");
    expect(secret.hostName).toBeUndefined();
    expect(secret.user).toBe("fallback");
    expect(secret.identityFiles).toEqual(["~/.ssh/global_key"]);
  });

  it("matches host patterns case-insensitively, in linear time whatever the pattern", () => {
    expect(hostConfig("Host DB-?\n  User up\n", "db-1").user).toBe("up");
    // a backtracking engine takes seconds at 50 characters here, and far longer at 200
    const evil = "Host *a*a*a*a*a*a*a*a*a*a*b\n  User evil\n";
    expect(hostConfig(evil, "a".repeat(200)).user).toBeUndefined();
    expect(hostConfig(evil, `${"a".repeat(200)}b`).user).toBe("evil");
  });

  it("reports an Include of a block that applies", () => {
    expect(hostConfig("Include x.conf\nHost a\n  Include y.conf\n", "a").ignored).toEqual([
      "Include x.conf",
      "Include y.conf",
    ]);
  });

  it("expands ~ and the tokens of paths", () => {
    const expansion = { home: "/home/w", localUser: "w" };
    expect(expandPath("~/.ssh/%r@%h:%p-%u-%d-%%", expansion, { host: "h", user: "r", port: 22 })).toBe(
      "/home/w/.ssh/r@h:22-w-/home/w-%",
    );
    expect(expandPath("/abs/~", expansion, { host: "h", user: "r", port: 22 })).toBe("/abs/~");
  });
});

describe("checkKnownHost", () => {
  const blob = (type: string, body: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(type.length);
    return Buffer.concat([length, Buffer.from(type), body]);
  };
  const key = blob("ssh-ed25519", randomBytes(32));
  const other = blob("ssh-ed25519", randomBytes(32));
  const rsa = blob("ssh-rsa", randomBytes(64));
  const line = (hosts: string, k: Buffer, type = "ssh-ed25519") => `${hosts} ${type} ${k.toString("base64")}`;
  const hashed = (name: string) => {
    const salt = randomBytes(20);
    return `|1|${salt.toString("base64")}|${createHmac("sha1", salt).update(name).digest("base64")}`;
  };

  it("finds a key by plain, patterned, bracketed and hashed host names", () => {
    expect(checkKnownHost(line("a.example,b.example", key), "b.example", key)).toBe("known");
    expect(checkKnownHost(line("*.example,!bad.example", key), "x.example", key)).toBe("known");
    expect(checkKnownHost(line("*.example,!bad.example", key), "bad.example", key)).toBe("unknown");
    expect(checkKnownHost(line("[h]:2222", key), knownHostsName("h", 2222), key)).toBe("known");
    expect(checkKnownHost(line("h", key), knownHostsName("h", 2222), key)).toBe("unknown");
    expect(checkKnownHost(`# comment\n\n${line(hashed("h"), key)}`, "h", key)).toBe("known");
  });

  it("tells a changed key from an unknown host, and honours @revoked", () => {
    expect(checkKnownHost(line("h", other), "h", key)).toBe("changed");
    // a host known with another key type only: not a change of this one
    expect(checkKnownHost(line("h", rsa, "ssh-rsa"), "h", key)).toBe("unknown");
    expect(checkKnownHost(`${line("h", other)}\n${line("h", key)}`, "h", key)).toBe("known");
    expect(checkKnownHost(`${line("h", key)}\n@revoked ${line("*", key)}`, "h", key)).toBe("revoked");
    expect(checkKnownHost(`@cert-authority ${line("h", key)}`, "h", key)).toBe("unknown");
  });
});
