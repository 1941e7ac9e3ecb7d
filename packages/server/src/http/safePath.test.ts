import { describe, expect, it } from "vitest";
import { namespaceFilePath, storagePathOf } from "./safePath.ts";

// What the query string parser hands over, i.e. after one decoding of the URL.
const TRAVERSALS = [
  "../secret.txt",
  "scripts/../../secret.txt",
  "/scripts/..",
  "./a.txt",
  "%2e%2e%2fsecret.txt",
  "%2e%2e/secret.txt",
  "..%2fsecret.txt",
  "%252e%252e%252fsecret.txt",
  "..\\secret.txt",
  "scripts\\..\\..\\secret.txt",
  "a.txt\u0000.png",
  "C:\\Windows\\win.ini",
  "c:/Windows/win.ini",
  "//etc/passwd",
];

describe("namespace file paths", () => {
  it.each(TRAVERSALS)("refuses %j with a 400", (raw) => {
    expect(() => namespaceFilePath(raw)).toThrow(expect.objectContaining({ status: 400, code: "PATH_INVALID" }));
  });

  it("keeps paths inside the namespace, absolute or not", () => {
    expect(namespaceFilePath("/scripts/run.sh")).toBe("/scripts/run.sh");
    expect(namespaceFilePath("scripts//run.sh")).toBe("/scripts/run.sh");
    expect(namespaceFilePath("/etc/passwd")).toBe("/etc/passwd");
    expect(namespaceFilePath(undefined)).toBe("/");
    expect(namespaceFilePath("/")).toBe("/");
    expect(namespaceFilePath("a..b/c.d")).toBe("/a..b/c.d");
  });
});

describe("storage URIs", () => {
  it("reads a kestra:/// URI", () => {
    expect(storagePathOf("kestra:///company/team/f/executions/x/tasks/t/tr/out.txt")).toBe(
      "/company/team/f/executions/x/tasks/t/tr/out.txt",
    );
  });

  it.each([
    "kestra:///a/../../etc/passwd",
    "kestra:///a/%2e%2e/b",
    "kestra:///a/%252e%252e/b",
    "kestra:///a\\..\\b",
    "kestra:///a/b\u0000c",
    "file:///etc/passwd",
    "/etc/passwd",
    "kestra:///",
  ])("refuses %j", (raw) => {
    expect(() => storagePathOf(raw)).toThrow(expect.objectContaining({ status: 400 }));
  });
});
