import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LocalStorage } from "./localStorage.ts";
import { readFileBelow } from "./noFollow.ts";
import { streamToBuffer } from "./streams.ts";
import { listFiles, storeFiles, writeFiles } from "./workingFiles.ts";

/** A file outside every root, standing for /etc/passwd. */
let outside: string;
let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "saker-nofollow-"));
  outside = mkdtempSync(join(tmpdir(), "saker-outside-"));
  writeFileSync(join(outside, "passwd"), "root:x:0:0");
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

describe("LocalStorage never follows a symbolic link", () => {
  it("a link to a file reads as missing and is not listed", async () => {
    const storage = new LocalStorage(root);
    await storage.put("/ns/_files/real.txt", Buffer.from("ok"));
    symlinkSync(join(outside, "passwd"), join(root, "ns/_files/link.txt"));
    expect(await storage.exists("/ns/_files/link.txt")).toBe(false);
    await expect(storage.size("/ns/_files/link.txt")).rejects.toThrow("Unable to find file");
    await expect(storage.get("/ns/_files/link.txt")).rejects.toMatchObject({ code: "STORAGE_LINK_REFUSED" });
    expect(await storage.list("/ns")).toEqual(["/ns/_files/real.txt"]);
  });

  it("a link to a folder is neither read, listed, written nor deleted through", async () => {
    const storage = new LocalStorage(root);
    mkdirSync(join(root, "ns"), { recursive: true });
    symlinkSync(outside, join(root, "ns/_files"));
    expect(await storage.exists("/ns/_files/passwd")).toBe(false);
    await expect(storage.get("/ns/_files/passwd")).rejects.toMatchObject({ code: "STORAGE_LINK_REFUSED" });
    await expect(storage.list("/ns/_files")).rejects.toMatchObject({ code: "STORAGE_LINK_REFUSED" });
    expect(await storage.list("/ns")).toEqual([]);
    await expect(storage.put("/ns/_files/passwd", Buffer.from("pwned"))).rejects.toMatchObject({
      code: "STORAGE_LINK_REFUSED",
    });
    expect(await storage.delete("/ns/_files/passwd")).toBe(false);
    await expect(storage.deletePrefix("/ns/_files")).rejects.toMatchObject({ code: "STORAGE_LINK_REFUSED" });
    expect(readFileSync(join(outside, "passwd"), "utf8")).toBe("root:x:0:0");
  });

  it("writing over a link is refused and leaves the link's target alone", async () => {
    const storage = new LocalStorage(root);
    mkdirSync(join(root, "ns"), { recursive: true });
    symlinkSync(join(outside, "passwd"), join(root, "ns/f.txt"));
    await expect(storage.put("/ns/f.txt", Buffer.from("new"))).rejects.toMatchObject({ code: "STORAGE_LINK_REFUSED" });
    expect(readFileSync(join(outside, "passwd"), "utf8")).toBe("root:x:0:0");
    await storage.put("/ns/g.txt", Buffer.from("new"));
    expect((await streamToBuffer(await storage.get("/ns/g.txt"))).toString()).toBe("new");
  });

  it("refuses to store a local file that is a link", async () => {
    const storage = new LocalStorage(root);
    const link = join(outside, "link");
    symlinkSync(join(outside, "passwd"), link);
    await expect(storage.put("/ns/x", link)).rejects.toMatchObject({ code: "STORAGE_LINK_REFUSED" });
  });
});

describe("working directory files never follow a symbolic link", () => {
  it("outputFiles globs skip links, to files and to folders", async () => {
    writeFileSync(join(root, "out.txt"), "mine");
    symlinkSync(join(outside, "passwd"), join(root, "passwd.txt"));
    symlinkSync(outside, join(root, "etc"));
    expect(await listFiles(root)).toEqual(["out.txt"]);
    const stored: string[] = [];
    const uris = await storeFiles(root, ["**"], {
      putFile: async (source) => (stored.push(String(source)), "kestra:///x"),
    });
    expect(Object.keys(uris)).toEqual(["out.txt"]);
    expect(stored).toEqual([join(root, "out.txt")]);
  });

  it("writing a file through a link is refused", async () => {
    symlinkSync(outside, join(root, "etc"));
    symlinkSync(join(outside, "passwd"), join(root, "p"));
    const noStorage = {
      getFile: async () => {
        throw new Error("unused");
      },
    };
    await expect(writeFiles(root, { "etc/passwd": "pwned" }, noStorage)).rejects.toMatchObject({
      code: "STORAGE_LINK_REFUSED",
    });
    await expect(writeFiles(root, { p: "pwned" }, noStorage)).rejects.toMatchObject({ code: "STORAGE_LINK_REFUSED" });
    expect(readFileSync(join(outside, "passwd"), "utf8")).toBe("root:x:0:0");
  });

  it("reading a working file refuses a link", async () => {
    symlinkSync(join(outside, "passwd"), join(root, "p"));
    await expect(readFileBelow(root, join(root, "p"), "p")).rejects.toMatchObject({ code: "STORAGE_LINK_REFUSED" });
  });
});
