import { describe, expect, it } from "vitest";
import { normalizeRemote, remoteUri, safeFileName, serverPath } from "./paths.ts";

describe("paths", () => {
  it("keeps remote paths under the root, whatever `..` they hold", () => {
    expect(normalizeRemote("a/b/")).toBe("/a/b");
    expect(normalizeRemote("/x/../../../etc/passwd")).toBe("/etc/passwd");
    expect(serverPath("/home/alice", "../../etc/passwd")).toBe("/home/alice/etc/passwd");
    expect(serverPath("/home/alice", "/")).toBe("/home/alice");
    expect(serverPath("/", "in\\file.txt")).toBe("/in/file.txt");
  });

  it("turns any name a server gives into a plain file name", () => {
    expect(safeFileName("report.csv")).toBe("report.csv");
    expect(safeFileName("../../escape.txt")).toBe("escape.txt");
    expect(safeFileName("..\\..\\win.txt")).toBe("win.txt");
    expect(safeFileName("..")).toBe("file");
    expect(safeFileName("a\u0000b\nc")).toBe("abc");
  });

  it("names a remote file by scheme, host and path, never the credentials or the port", () => {
    expect(remoteUri("sftp", "example.com", "in/a b.txt")).toBe("sftp://example.com/in/a%20b.txt");
    expect(remoteUri("ftp", "::1", "/x")).toBe("ftp://[::1]/x");
  });
});
