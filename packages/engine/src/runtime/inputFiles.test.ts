import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resolveInputs } from "../model/inputs.ts";
import { LocalStorage } from "../storage/localStorage.ts";
import { executionPrefix } from "../storage/paths.ts";
import { inputFileUri } from "./inputFiles.ts";

let root: string;
let storage: LocalStorage;
const scope = {
  namespace: "company.team",
  readPrefixes: [executionPrefix("company.team", "flow", "x1"), executionPrefix("parent.ns", "parent", "p1")],
};

beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), "saker-inputfiles-"));
  storage = new LocalStorage(root);
  await storage.put("/company/team/_files/data.csv", Buffer.from("a,b"));
  await storage.put("/other/_files/secret.txt", Buffer.from("no"));
  await storage.put(`${executionPrefix("other", "f", "x9")}/out.txt`, Buffer.from("no"));
  await storage.put(`${executionPrefix("parent.ns", "parent", "p1")}/tasks/t/r/out.txt`, Buffer.from("yes"));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("FILE inputs given as a URI", () => {
  it("accepts the namespace's files, as kestra:// or nsfile://, and the parent execution's files", async () => {
    expect(await inputFileUri(storage, scope, "kestra:///company/team/_files/data.csv")).toBe(
      "kestra:///company/team/_files/data.csv",
    );
    expect(await inputFileUri(storage, scope, "nsfile:///data.csv")).toBe("kestra:///company/team/_files/data.csv");
    expect(await inputFileUri(storage, scope, "nsfile://company.team/data.csv")).toBe(
      "kestra:///company/team/_files/data.csv",
    );
    const parentFile = `kestra://${executionPrefix("parent.ns", "parent", "p1")}/tasks/t/r/out.txt`;
    expect(await inputFileUri(storage, scope, parentFile)).toBe(parentFile);
  });

  it.each([
    ["another namespace's file", "kestra:///other/_files/secret.txt"],
    ["another execution's file", "kestra:///other/f/executions/x9/out.txt"],
    ["another namespace's nsfile", "nsfile://other/secret.txt"],
  ])("refuses %s", async (_, uri) => {
    await expect(inputFileUri(storage, scope, uri)).rejects.toMatchObject({ code: "STORAGE_ACCESS_DENIED" });
  });

  it("refuses a missing file and a path leaving its folder", async () => {
    await expect(inputFileUri(storage, scope, "nsfile:///missing.csv")).rejects.toMatchObject({
      code: "FILE_NOT_FOUND",
    });
    await expect(
      inputFileUri(storage, scope, "kestra:///company/team/_files/../../../other/_files/secret.txt"),
    ).rejects.toMatchObject({ code: "STORAGE_PATH_INVALID" });
  });

  it("an input error names the input", async () => {
    const error = await resolveInputs(
      [{ id: "data", type: "FILE" }],
      { data: "kestra:///other/_files/secret.txt" },
      {
        renderTyped: async () => undefined,
        fileUri: (_id, uri) => inputFileUri(storage, scope, uri),
      },
    ).catch((e: unknown) => e as Error);
    expect((error as Error).message).toMatch(
      /^Invalid input for `data`, 'kestra:\/\/\/other\/_files\/secret.txt' cannot be read by this execution/,
    );
  });
});
