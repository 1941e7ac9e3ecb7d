/** The pure helpers: line counts as Kestra reports them, globs, credential redaction, safe paths. */
import { describe, expect, it } from "vitest";
import { globsOf, matchesAny } from "./globs.ts";
import { parseIgnore } from "./kestraIgnore.ts";
import { lineCounts } from "./lineDiff.ts";
import { safeRelative } from "./paths.ts";
import { commitUrl, remoteOf } from "./remote.ts";
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
    expect(() => remoteOf(ctx, { url: "ssh://git@host/repo.git" })).toThrow(/SSH remotes are not supported/);
    expect(() => remoteOf(ctx, { url: "git@github.com:a/b.git" })).toThrow(/SSH remotes are not supported/);
    expect(() => remoteOf(ctx, { url: "file:///tmp/repo.git", password: "tok-123" })).toThrow(/only http\(s\)/);
    expect(() => remoteOf(ctx, { url: "not a url tok-123", password: "tok-123" })).toThrow(
      /'not a url \*\*\*' is not a URL/,
    );
  });

  it("builds commit URLs as Kestra does", () => {
    expect(commitUrl("https://github.com/a/b.git", "main", "c1")).toBe("https://github.com/a/b/commit/c1");
    expect(commitUrl("https://bitbucket.org/a/b", "main", "c1")).toBe("https://bitbucket.org/a/b/commits/c1");
    expect(commitUrl("https://dev.azure.com/o/p/_git/r", "dev", "c1")).toBe(
      "https://dev.azure.com/o/p/_git/r/commit/c1?refName=refs%2Fheads%2Fdev",
    );
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
});
