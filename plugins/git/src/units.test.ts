/** The pure helpers: line counts as Kestra reports them, globs, credential redaction, SSH URLs and keys, safe paths. */
import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { globsOf, matchesAny } from "./globs.ts";
import { parseIgnore } from "./kestraIgnore.ts";
import { lineCounts } from "./lineDiff.ts";
import { safeRelative } from "./paths.ts";
import { commitUrl, remoteOf } from "./remote.ts";
import { readPrivateKey } from "./ssh.ts";
import { parseSshUrl, sshCommand } from "./sshUrl.ts";
import { exportedSource } from "./pushFlows.ts";
import { withNamespace } from "./syncFlows.ts";

const ctx = { flow: { id: "f", namespace: "n" }, task: { id: "t", type: "x" } };
const b = (text: string) => Buffer.from(text);

describe("lineCounts", () => {
  it("counts added, removed and replaced lines per edited region", () => {
    expect(lineCounts(b(""), b("a\nb\n"))).toEqual({ additions: 2, deletions: 0, changes: 0 });
    expect(lineCounts(b("a\nb\n"), b(""))).toEqual({ additions: 0, deletions: 2, changes: 0 });
    expect(lineCounts(b("a\nb\nc\n"), b("a\nB\nc\n"))).toEqual({ additions: 0, deletions: 0, changes: 1 });
    expect(lineCounts(b("a\nb\nc\nd\n"), b("a\nX\nY\nZ\nc\nd\ne\n"))).toEqual({
      additions: 3,
      deletions: 0,
      changes: 0,
    });
    expect(lineCounts(b("a\nb\nc\nd\ne\n"), b("a\nc\ne\n"))).toEqual({ additions: 0, deletions: 2, changes: 0 });
  });
});

describe("globs", () => {
  it("matches Kestra's patterns, from one glob, a list or a JSON list", () => {
    const globs = globsOf(["scripts/**", "*.sql", "flow-?", "{a,b}.txt"], "files");
    expect(matchesAny(globs, "scripts/x/y.py")).toBe(true);
    expect(matchesAny(globs, "q.sql")).toBe(true);
    expect(matchesAny(globs, "dir/q.sql")).toBe(false);
    expect(matchesAny(globs, "flow-1")).toBe(true);
    expect(matchesAny(globs, "b.txt")).toBe(true);
    expect(matchesAny(globsOf('["x*"]', "flows"), "xyz")).toBe(true);
    expect(matchesAny(globsOf("x.y", "flows"), "xzy")).toBe(false);
    expect(matchesAny(undefined, "anything")).toBe(true);
    expect(matchesAny(globsOf(["[!a-c]x", "[a-c]y"], "files"), "dx")).toBe(true);
    expect(matchesAny(globsOf(["[!a-c]x", "[a-c]y"], "files"), "ax")).toBe(false);
    // `[]` matches nothing, `[!]` any one character
    expect(["x", "]x", "ax"].map((name) => matchesAny(globsOf("[]x", "files"), name))).toEqual([false, false, false]);
    expect(["x", "ax", "éx"].map((name) => matchesAny(globsOf("[!]x", "files"), name))).toEqual([false, true, true]);
  });

  it("answers in linear time whatever the glob, and refuses a glob that does not compile, naming the property", () => {
    // a backtracking engine takes seconds at 50 characters here, and far longer at 200
    const evil = globsOf("*a*a*a*a*a*a*a*a*a*a*b", "files");
    expect(matchesAny(evil, "a".repeat(200))).toBe(false);
    expect(matchesAny(evil, `${"a".repeat(200)}b`)).toBe(true);
    expect(() => globsOf(["ok", "[z-a]"], "files")).toThrow(
      /^files: '\[z-a\]' is not a valid glob: invalid character class range/,
    );
  });
});

describe("remoteOf", () => {
  it("takes credentials out of the URL and redacts them everywhere", () => {
    const remote = remoteOf(ctx, { url: "https://bob:s%40cret-42@git.example.com/repo.git" });
    expect(remote.url).toBe("https://git.example.com/repo.git");
    expect(remote.headers.Authorization).toBe(`Basic ${Buffer.from("bob:s@cret-42").toString("base64")}`);
    expect(remote.redact("failed https://bob:s%40cret-42@host and s@cret-42")).toBe(
      "failed https://***:***@host and ***",
    );
    expect(() => remoteOf(ctx, { url: "file:///tmp/repo.git", password: "tok-123" })).toThrow(/only http\(s\)/);
    expect(() => remoteOf(ctx, { url: "not a url tok-123", password: "tok-123" })).toThrow(
      /'not a url \*\*\*' is not a URL/,
    );
  });

  it("hides a URL's password shorter than three characters, which is not redacted as a secret elsewhere", () => {
    const bad = () => remoteOf(ctx, { url: "https://bob:pw@git example.com/repo.git" });
    expect(bad).toThrow("'https://bob:***@git example.com/repo.git' is not a URL");
    const remote = remoteOf(ctx, { url: "https://bob:pw@git.example.com/repo.git" });
    expect(remote.redact("fetching https://bob:pw@git.example.com/repo.git failed")).toBe(
      "fetching https://***:***@git.example.com/repo.git failed",
    );
    expect(remote.redact("ssh://git@host.example.com/repo.git: denied")).toBe(
      "ssh://git@host.example.com/repo.git: denied",
    );
    // a password holding `@`: hidden up to the host's `@`, whole when it is a known secret
    expect(() => remoteOf(ctx, { url: "https://bob:p@ss@git example.com/r.git" })).toThrow(
      "'https://bob:***@git example.com/r.git' is not a URL",
    );
    const at = remoteOf(ctx, { url: "https://bob:ab%40cdef@git.example.com/r.git" });
    expect(at.redact("fetching https://bob:ab@cdef@git.example.com/r.git")).toBe(
      "fetching https://***:***@git.example.com/r.git",
    );
  });

  it("builds commit URLs as Kestra does", () => {
    expect(commitUrl("https://github.com/a/b.git", "main", "c1")).toBe("https://github.com/a/b/commit/c1");
    expect(commitUrl("git@github.com:a/b.git", "main", "c1")).toBe("https://github.com/a/b/commit/c1");
    expect(commitUrl("ssh://git@gitlab.example.com:2222/a/b.git", "main", "c1")).toBe(
      "https://gitlab.example.com/a/b/commit/c1",
    );
    expect(commitUrl("git@ssh.dev.azure.com:v3/org/proj/repo", "dev", "c1")).toBe(
      "https://dev.azure.com/org/proj/_git/repo/commit/c1?refName=refs%2Fheads%2Fdev",
    );
    expect(commitUrl("https://bitbucket.org/a/b", "main", "c1")).toBe("https://bitbucket.org/a/b/commits/c1");
    expect(commitUrl("https://dev.azure.com/o/p/_git/r", "dev", "c1")).toBe(
      "https://dev.azure.com/o/p/_git/r/commit/c1?refName=refs%2Fheads%2Fdev",
    );
  });
});

describe("SSH URLs", () => {
  it("reads the scp-like form: [user@]host:path, relative to the login's home, the login git by default", () => {
    expect(parseSshUrl("git@github.com:org/repo.git")).toEqual({
      target: { host: "github.com", port: 22, user: "git", path: "org/repo.git" },
      display: "git@github.com:org/repo.git",
    });
    expect(parseSshUrl("deploy@git.example.com:/srv/git/app.git")?.target).toEqual({
      host: "git.example.com",
      port: 22,
      user: "deploy",
      path: "/srv/git/app.git",
    });
    expect(parseSshUrl("gitlab.example.com:~alice/r.git")?.target).toEqual({
      host: "gitlab.example.com",
      port: 22,
      user: "git",
      path: "~alice/r.git",
    });
    expect(parseSshUrl("git@[::1]:repo.git")?.target.host).toBe("::1");
    expect(() => parseSshUrl("git@github.com:")).toThrow(/no repository path/);
    for (const other of ["https://github.com/a/b.git", "/local/path", "relative/path", "not a url"])
      expect(parseSshUrl(other)).toBeUndefined();
  });

  it("reads ssh:// URLs: a port, an absolute path, ~ paths, a password taken out of the shown URL", () => {
    expect(parseSshUrl("ssh://git@127.0.0.1:2222/app.git")).toEqual({
      target: { host: "127.0.0.1", port: 2222, user: "git", path: "/app.git" },
      display: "ssh://git@127.0.0.1:2222/app.git",
    });
    expect(parseSshUrl("ssh://host.example.com/~alice/my%20repo.git")?.target).toEqual({
      host: "host.example.com",
      port: 22,
      user: "git",
      path: "~alice/my repo.git",
    });
    expect(parseSshUrl("git+ssh://bob:s%40cret@[::1]:22/r.git")).toEqual({
      target: { host: "::1", port: 22, user: "bob", path: "/r.git" },
      display: "git+ssh://bob@[::1]:22/r.git",
      password: "s@cret",
    });
    expect(() => parseSshUrl("ssh://git@host")).toThrow(/no repository path/);
    expect(() => parseSshUrl("ssh://git@host:99999/r.git")).toThrow(/malformed/);
  });

  it("quotes the path as git does in the command the server runs", () => {
    expect(sshCommand("git-upload-pack", "org/repo.git")).toBe("git-upload-pack 'org/repo.git'");
    expect(sshCommand("git-receive-pack", "/it's here!.git")).toBe("git-receive-pack '/it'\\''s here'\\!'.git'");
  });

  it("keeps SSH remotes' keys, passphrases and passwords out of every message, but not the login", () => {
    const key =
      "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----\n";
    const remote = remoteOf(ctx, {
      url: "ssh://git:pw-123@host.example.com/r.git",
      username: "git",
      privateKey: key,
      passphrase: "secret-pass",
    });
    expect(remote.url).toBe("ssh://git@host.example.com/r.git");
    expect(remote.ssh).toEqual({ host: "host.example.com", port: 22, user: "git", path: "/r.git", password: "pw-123" });
    expect(remote.headers).toEqual({});
    expect(remote.redact(`${key} b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ secret-pass pw-123 git-upload-pack`)).toBe(
      "*** *** *** *** git-upload-pack",
    );
    expect(() => remoteOf(ctx, { url: "git@host:" })).toThrow(/no repository path/);
  });
});

describe("private keys", () => {
  const pkcs8 = (type: "ed25519" | "rsa" | "ec", passphrase?: string) =>
    generateKeyPairSync(type as "ed25519", {
      ...(type === "rsa" ? { modulusLength: 2048 } : type === "ec" ? { namedCurve: "prime256v1" } : {}),
      privateKeyEncoding: {
        type: "pkcs8",
        format: "pem",
        ...(passphrase ? { cipher: "aes-256-cbc", passphrase } : {}),
      },
      publicKeyEncoding: { type: "spki", format: "pem" },
    }).privateKey;

  it("reads PKCS#8 keys (BEGIN [ENCRYPTED] PRIVATE KEY) of each type", async () => {
    const ed25519 = await readPrivateKey(pkcs8("ed25519"), undefined);
    expect(ed25519.type).toBe("ssh-ed25519");
    const data = Buffer.from("signed by the converted key");
    expect(ed25519.verify(data, ed25519.sign(data) as Buffer)).toBe(true);
    expect((await readPrivateKey(pkcs8("rsa"), undefined)).type).toBe("ssh-rsa");
    expect((await readPrivateKey(pkcs8("ec", "pw-1"), "pw-1")).type).toBe("ecdsa-sha2-nistp256");
    const encrypted = pkcs8("ed25519", "pw-2");
    expect((await readPrivateKey(`\n  ${encrypted.replace(/\n/g, "\r\n")}`, "pw-2")).isPrivateKey()).toBe(true);
    await expect(readPrivateKey(encrypted, "wrong")).rejects.toThrow(
      /^passphrase: passphrase does not decrypt privateKey/,
    );
    await expect(readPrivateKey(encrypted, undefined)).rejects.toThrow(/^passphrase: privateKey is encrypted/);
    await expect(
      readPrivateKey("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----", undefined),
    ).rejects.toThrow(/^privateKey: privateKey is not a private key Saker can read/);
  });
});

describe("paths and sources", () => {
  it("keeps relative paths inside their folder", () => {
    expect(safeRelative("a/./b/", "p")).toBe("a/b");
    expect(safeRelative(".", "p")).toBe("");
    for (const bad of ["../a", "/abs", "a/../../b", ".git/x", "C:\\x"]) expect(() => safeRelative(bad, "p")).toThrow();
  });

  it("rewrites namespaces on the way to git and back", () => {
    const source =
      "id: a\nnamespace: company.dev\nrevision: 3\ntasks:\n  - id: s\n    type: io.kestra.plugin.core.flow.Subflow\n    namespace: company.dev.sub\n    flowId: x\n";
    expect(exportedSource(source, "company.dev", "company.prod")).toBe(
      "id: a\nnamespace: company.prod\ntasks:\n  - id: s\n    type: io.kestra.plugin.core.flow.Subflow\n    namespace: company.prod.sub\n    flowId: x\n",
    );
    expect(exportedSource("namespace: company.devx\n", "company.dev", "p")).toBe("namespace: company.devx\n");
    expect(withNamespace("id: a\nnamespace: other\n\n\n", "t.sub")).toBe("id: a\nnamespace: t.sub\n");
  });
});

describe(".kestraignore", () => {
  it("ignores as gitignore does: names anywhere, anchored paths, folders, negations", () => {
    const rules = parseIgnore("# comment\n*.log\n!keep.log\nbuild/\n/top.txt\ndocs/*.md\n");
    expect(rules.ignores(".kestraignore")).toBe(true);
    expect(rules.ignores("a/b/x.log")).toBe(true);
    expect(rules.ignores("a/keep.log")).toBe(false);
    expect(rules.ignores("build/out.js")).toBe(true);
    expect(rules.ignores("src/build/out.js")).toBe(true);
    expect(rules.ignores("build")).toBe(false); // a file named build: the rule is for folders
    expect(rules.ignores("top.txt")).toBe(true);
    expect(rules.ignores("sub/top.txt")).toBe(false);
    expect(rules.ignores("docs/a.md")).toBe(true);
    expect(rules.ignores("docs/x/a.md")).toBe(false);
    expect(rules.ignores("sub/.kestraignore")).toBe(false);
  });

  it("a repository's rules cannot stall the task: linear-time matching, and a rule that does not compile matches nothing", () => {
    const invalid: string[] = [];
    const rules = parseIgnore("[z-a]\n*a*a*a*a*a*a*a*a*a*a*b\n", (rule, reason) => invalid.push(`${rule}: ${reason}`));
    expect(invalid).toEqual([expect.stringMatching(/^\[z-a\]: invalid character class range/)]);
    expect(rules.ignores(`${"a".repeat(200)}.txt`)).toBe(false);
    expect(rules.ignores(`x/${"a".repeat(200)}b`)).toBe(true);
    expect(rules.ignores("z")).toBe(false);
  });
});
