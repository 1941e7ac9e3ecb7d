import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LocalStorage } from "./localStorage.ts";
import { executionPrefix, taskPrefix, toStoragePath } from "./paths.ts";
import { streamToBuffer } from "./streams.ts";
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

describe("LocalStorage", () => {
  let root: string;
  let storage: LocalStorage;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "saker-storage-"));
    storage = new LocalStorage(root);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("stores, reads, lists and deletes files", async () => {
    expect(await storage.put("/ns/f/file.txt", Buffer.from("hello"))).toBe(5);
    expect((await streamToBuffer(await storage.get("kestra:///ns/f/file.txt"))).toString()).toBe("hello");
    expect(await storage.size("/ns/f/file.txt")).toBe(5);
    expect(await storage.list("/ns")).toEqual(["/ns/f/file.txt"]);
    expect(await storage.delete("/ns/f/file.txt")).toBe(true);
    expect(await storage.exists("/ns/f/file.txt")).toBe(false);
    await expect(storage.get("/ns/f/file.txt")).rejects.toThrow("Unable to find file at uri 'kestra:///ns/f/file.txt'");
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
