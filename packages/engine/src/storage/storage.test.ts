import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startS3Server, type TestS3Server } from "../testing/s3Server.ts";
import { LocalStorage } from "./localStorage.ts";
import { S3Storage } from "./s3Storage.ts";
import { executionPrefix, taskPrefix, toStoragePath } from "./paths.ts";
import { streamToBuffer } from "./streams.ts";
import type { Storage } from "./storage.ts";
import { createTaskStorage } from "./taskStorage.ts";

describe("storage paths", () => {
  it("lays files out as Kestra does", () => {
    expect(taskPrefix("company.team", "My Flow", "exec1", "Task_1", "tr1")).toBe(
      "/company/team/my-flow/executions/exec1/tasks/task_1/tr1",
    );
  });

  it.each([
    "kestra:///a/../../etc/passwd",
    "kestra:///a/%2e%2e/b",
    "kestra:///a/%2fb",
    "kestra:///a\\..\\b",
    "kestra:///a/b%00c",
    "../x",
  ])("rejects %s", (uri) => {
    expect(() => toStoragePath(uri)).toThrow(/not a valid storage URI|leaves its folder/);
  });

  it("normalises a URI", () => {
    expect(toStoragePath("kestra:///a//b/./c.txt")).toBe("/a/b/c.txt");
  });
});

/** Each implementation of the storage interface, on a fresh, empty place for every test. */
interface Backend {
  name: string;
  setUp(): Promise<void>;
  open(): Storage;
  tearDown(): Promise<void>;
}

const folders: string[] = [];
let s3: TestS3Server | undefined;
const opened: S3Storage[] = [];

const backends: Backend[] = [
  {
    name: "LocalStorage",
    setUp: async () => {},
    open: () => {
      const root = mkdtempSync(join(tmpdir(), "saker-storage-"));
      folders.push(root);
      return new LocalStorage(root);
    },
    tearDown: async () => {},
  },
  {
    name: "S3Storage",
    setUp: async () => {
      s3 = await startS3Server(["storage-test"]);
    },
    open: () => {
      const storage = new S3Storage({
        bucket: "storage-test",
        prefix: `run-${randomBytes(4).toString("hex")}`,
        endpoint: s3!.endpoint,
        credentials: { accessKeyId: s3!.accessKeyId, secretAccessKey: s3!.secretAccessKey },
      });
      opened.push(storage);
      return storage;
    },
    tearDown: async () => {
      for (const storage of opened.splice(0)) storage.close();
      await s3?.close();
    },
  },
];

describe.each(backends)("$name", (backend) => {
  let storage: Storage;
  beforeAll(() => backend.setUp());
  afterAll(() => backend.tearDown());
  beforeEach(() => {
    storage = backend.open();
  });
  afterEach(() => {
    for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
  });

  it("stores, reads, lists and deletes files", async () => {
    expect(await storage.put("/ns/f/file.txt", Buffer.from("hello"))).toBe(5);
    expect((await streamToBuffer(await storage.get("kestra:///ns/f/file.txt"))).toString()).toBe("hello");
    expect(await storage.size("/ns/f/file.txt")).toBe(5);
    expect(await storage.list("/ns")).toEqual(["/ns/f/file.txt"]);
    expect(await storage.delete("/ns/f/file.txt")).toBe(true);
    expect(await storage.exists("/ns/f/file.txt")).toBe(false);
    await expect(storage.get("/ns/f/file.txt")).rejects.toThrow("Unable to find file at uri 'kestra:///ns/f/file.txt'");
  });

  it("writes from a stream, an iterable and a local file, and replaces a file whole", async () => {
    expect(await storage.put("/a/stream.txt", Readable.from([Buffer.from("ab"), Buffer.from("cd")]))).toBe(4);
    expect(
      await storage.put(
        "/a/iterable.txt",
        (async function* () {
          yield new TextEncoder().encode("xyz");
        })(),
      ),
    ).toBe(3);
    const dir = mkdtempSync(join(tmpdir(), "saker-source-"));
    folders.push(dir);
    writeFileSync(join(dir, "local.txt"), "from disk");
    expect(await storage.put("/a/local.txt", join(dir, "local.txt"))).toBe(9);
    expect(await storage.put("/a/empty.txt", Buffer.alloc(0))).toBe(0);
    expect(await storage.put("/a/stream.txt", Buffer.from("new"))).toBe(3);
    expect((await streamToBuffer(await storage.get("/a/stream.txt"))).toString()).toBe("new");
    expect((await streamToBuffer(await storage.get("/a/local.txt"))).toString()).toBe("from disk");
    expect(await storage.size("/a/empty.txt")).toBe(0);
    expect(await storage.list("/")).toEqual(["/a/empty.txt", "/a/iterable.txt", "/a/local.txt", "/a/stream.txt"]);
  });

  it("answers for what is not there", async () => {
    await storage.put("/a/b/c.txt", Buffer.from("c"));
    expect(await storage.exists("/a/b/missing.txt")).toBe(false);
    expect(await storage.exists("/a/b")).toBe(false);
    expect(await storage.delete("/a/b/missing.txt")).toBe(false);
    await expect(storage.size("/a/b/missing.txt")).rejects.toThrow(expect.objectContaining({ code: "FILE_NOT_FOUND" }));
    expect(await storage.list("/nothing")).toEqual([]);
    expect(await storage.list("/a/b/c.txt")).toEqual([]);
    expect(await storage.deletePrefix("/nothing")).toBe(0);
  });

  it("lists and deletes a prefix, and only that prefix", async () => {
    for (const path of ["/ns/f/x1/a.txt", "/ns/f/x1/sub/b.txt", "/ns/f/x10/c.txt", "/ns/g/d.txt"])
      await storage.put(path, Buffer.from(path));
    expect(await storage.list("/ns/f/x1")).toEqual(["/ns/f/x1/a.txt", "/ns/f/x1/sub/b.txt"]);
    expect(await storage.deletePrefix("/ns/f/x1")).toBe(2);
    expect(await storage.list("/ns")).toEqual(["/ns/f/x10/c.txt", "/ns/g/d.txt"]);
  });

  it("refuses a path that leaves the storage, with the same errors", async () => {
    for (const path of ["kestra:///a/../../etc/passwd", "/a/%2e%2e/b", "/a\\..\\b", "/a/b%00c"]) {
      await expect(storage.put(path, Buffer.from("x"))).rejects.toThrow(
        expect.objectContaining({ code: "STORAGE_PATH_INVALID" }),
      );
      await expect(storage.get(path)).rejects.toThrow(expect.objectContaining({ code: "STORAGE_PATH_INVALID" }));
      await expect(storage.list(path)).rejects.toThrow(expect.objectContaining({ code: "STORAGE_PATH_INVALID" }));
      expect(await storage.exists(path)).toBe(false);
      expect(await storage.delete(path)).toBe(false);
    }
    expect(await storage.list("/")).toEqual([]);
  });

  it("confines a task to its execution and namespace files", async () => {
    await storage.put(`${executionPrefix("other", "f", "x2")}/secret.txt`, Buffer.from("no"));
    const task = createTaskStorage(storage, {
      namespace: "ns",
      writePrefix: taskPrefix("ns", "f", "x1", "t", "tr"),
      readPrefixes: [executionPrefix("ns", "f", "x1")],
    });
    const uri = await task.putFile(Buffer.from("mine"), "out.txt");
    expect(uri).toMatch(/^kestra:\/\/\/ns\/f\/executions\/x1\/tasks\/t\/tr\/[A-Za-z0-9]+-out\.txt$/);
    expect((await task.readFile(uri)).toString()).toBe("mine");
    await expect(task.readFile("kestra:///other/f/executions/x2/secret.txt")).rejects.toThrow(
      /only files of this execution/,
    );
    await expect(task.readFile("kestra:///ns/f/executions/x1/../../x2/secret.txt")).rejects.toThrow();
    await task.namespace().put("scripts/a.sh", Buffer.from("echo"));
    expect(await task.namespace().list()).toEqual(["/scripts/a.sh"]);
    await expect(task.namespace().put("../../etc/x", Buffer.from(""))).rejects.toThrow();
  });
});
