import { describe, expect, it } from "vitest";
import { pathMatcher } from "../../storage/workingFiles.ts";
import { extensionOf } from "./common.ts";

describe("pathMatcher", () => {
  it("matches as Kestra's glob and regex patterns do", () => {
    const ns = (pattern: string, path: string) => pathMatcher([pattern], { anyDepth: true })(path);
    expect(ns("**test1.txt", "/a/b/test1.txt")).toBe(true);
    expect(ns("a/b/*.txt", "/a/b/x.txt")).toBe(true);
    expect(ns("/a/**", "/a/b/c.txt")).toBe(true);
    expect(ns("*.txt", "/a/b.txt")).toBe(false);
    expect(ns("regex:.*\\.sql", "/q/one.sql")).toBe(true);
    expect(ns("glob:**/dbt/**", "/x/dbt/models/a.sql")).toBe(true);
    const wd = (pattern: string, path: string) => pathMatcher([pattern])(path);
    expect(wd("hello.txt", "hello.txt")).toBe(true);
    expect(wd("hello.txt", "sub/hello.txt")).toBe(false);
    expect(wd("test/**", "test/sub/dir/x.txt")).toBe(true);
  });
});

describe("extensionOf", () => {
  it("reads extensions from URIs", () => {
    expect(extensionOf("kestra:///a/b/file.tar.gz")).toBe(".gz");
    expect(extensionOf("kestra:///a.b/c/file")).toBe(".tmp");
  });
});
