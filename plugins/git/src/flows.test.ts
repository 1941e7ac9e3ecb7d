/**
 * PushFlows then SyncFlows through a real git server on loopback: the flows of one namespace go
 * to a repository folder and come back into another namespace (created, updated, deleted with
 * `delete: true`), a dry run changes nothing, and an invalid flow file fails naming the file
 * without losing any flow.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestInstance } from "@saker/engine/testing";
import {
  TOKEN,
  USER,
  diffRows,
  gitFlow,
  gitInstance,
  logFlow,
  logsOf,
  startGitServer,
  taskRun,
  type TestGitServer,
} from "../test/support.ts";

let test: TestInstance;
let server: TestGitServer;

beforeAll(async () => {
  test = await gitInstance();
  server = await startGitServer();
  server.createRepo("flows");
});
afterAll(async () => {
  await test?.close();
  await server?.close();
});

const connection = (repo = "flows") => `url: ${server.url(repo)}\nusername: ${USER}\npassword: ${TOKEN}`;
const ids = (namespace: string, children = false) =>
  test.instance.flows
    .all(namespace)
    .filter((f) => children || f.namespace === namespace)
    .map((f) => `${f.namespace}/${f.id}`);

describe("PushFlows", () => {
  it("pushes the flows of a namespace and its children, then updates, deletes and dry-runs", async () => {
    await test.instance.deploy(logFlow("company.src", "a"));
    await test.instance.deploy(logFlow("company.src", "b"));
    await test.instance.deploy(logFlow("company.src.sub", "c"));
    await test.instance.deploy(logFlow("company.other", "z"));
    const push = (id: string, extra = "") =>
      test.run(
        gitFlow(
          id,
          "company.ops",
          "PushFlows",
          `${connection()}\nsourceNamespace: company.src\nincludeChildNamespaces: true\nauthorName: Ops\nauthorEmail: ops@example.com\n${extra}`,
        ),
      );

    const first = await push("push1", `commitMessage: "first push"`);
    expect(first.state.current, logsOf(test, first.id)).toBe("SUCCESS");
    expect(server.show("flows", "_flows/a.yml")).toBe(logFlow("company.src", "a"));
    expect(server.show("flows", "_flows/sub/c.yml")).toBe(logFlow("company.src.sub", "c"));
    expect(server.show("flows", "_flows/z.yml")).toBeUndefined();
    expect(server.log("flows")).toEqual(["Ops <ops@example.com>|first push"]);
    const out = taskRun(first, "git").outputs as Record<string, string>;
    expect(out.commitId).toMatch(/^[0-9a-f]{40}$/);
    expect(out.commitURL).toBe(`${server.url("flows").replace(/\.git$/, "")}/commit/${out.commitId}`);
    expect(await diffRows(test, out.flows)).toEqual([
      { file: "_flows/a.yml", additions: "+6", deletions: "-0", changes: "0" },
      { file: "_flows/b.yml", additions: "+6", deletions: "-0", changes: "0" },
      { file: "_flows/sub/c.yml", additions: "+6", deletions: "-0", changes: "0" },
    ]);

    await test.instance.deploy(logFlow("company.src", "a", "changed"));
    test.instance.flows.delete("company.src", "b");
    const dry = await push("push-dry", "dryRun: true");
    expect(dry.state.current, logsOf(test, dry.id)).toBe("SUCCESS");
    expect(server.log("flows")).toHaveLength(1);
    const dryOut = taskRun(dry, "git").outputs as Record<string, string>;
    expect(dryOut.commitId).toBeUndefined();
    expect(await diffRows(test, dryOut.flows)).toEqual([
      { file: "_flows/a.yml", additions: "+0", deletions: "-0", changes: "1" },
      { file: "_flows/b.yml", additions: "+0", deletions: "-6", changes: "0" },
    ]);

    const globbed = await push("push-glob", `dryRun: true\nflows: '["a*"]'`);
    expect(globbed.state.current, logsOf(test, globbed.id)).toBe("SUCCESS");
    expect(await diffRows(test, (taskRun(globbed, "git").outputs as Record<string, string>).flows)).toEqual([
      { file: "_flows/a.yml", additions: "+0", deletions: "-0", changes: "1" },
    ]);

    const second = await push("push2", `targetNamespace: company.dst`);
    expect(second.state.current, logsOf(test, second.id)).toBe("SUCCESS");
    expect(server.log("flows")[0]).toBe("Ops <ops@example.com>|Add flows from company.src namespace");
    expect(server.show("flows", "_flows/b.yml")).toBeUndefined();
    expect(server.show("flows", "_flows/a.yml")).toBe(logFlow("company.dst", "a", "changed"));
    expect(server.show("flows", "_flows/sub/c.yml")).toBe(logFlow("company.dst.sub", "c"));

    const nothing = await push("push3", `targetNamespace: company.dst`);
    expect(nothing.state.current).toBe("SUCCESS");
    expect(server.log("flows")).toHaveLength(2);
    expect(logsOf(test, nothing.id)).toContain("No changes to commit");
  });
});

describe("SyncFlows", () => {
  const sync = (id: string, extra = "", repo = "sync") =>
    test.run(gitFlow(id, "company.ops", "SyncFlows", `${connection(repo)}\ntargetNamespace: company.mirror\n${extra}`));

  it("creates, updates and deletes flows so the namespace mirrors the folder; a dry run changes nothing", async () => {
    server.createRepo("sync", {
      "_flows/a.yml": logFlow("anything", "a"),
      "_flows/b.yaml": logFlow("anything", "b"),
      "_flows/README.md": "not a flow",
      "_flows/sub/c.yml": logFlow("anything", "c"),
    });
    await test.instance.deploy(logFlow("company.mirror", "extra"));
    await test.instance.deploy(logFlow("company.mirror", "b", "old"));

    const first = await sync("sync1", `includeChildNamespaces: true`);
    expect(first.state.current, logsOf(test, first.id)).toBe("SUCCESS");
    expect(ids("company.mirror", true)).toEqual([
      "company.mirror/a",
      "company.mirror/b",
      "company.mirror/extra",
      "company.mirror.sub/c",
    ]);
    expect(test.instance.flows.find("company.mirror", "a")!.stored.source).toBe(logFlow("company.mirror", "a"));
    expect(await diffRows(test, taskRun(first, "git").outputs!.flows)).toEqual([
      { gitPath: "_flows/a.yml", syncState: "ADDED", flowId: "a", namespace: "company.mirror", revision: 1 },
      { gitPath: "_flows/b.yaml", syncState: "UPDATED", flowId: "b", namespace: "company.mirror", revision: 2 },
      { gitPath: "_flows/sub/c.yml", syncState: "ADDED", flowId: "c", namespace: "company.mirror.sub", revision: 1 },
    ]);

    server.commit("sync", { "_flows/a.yml": logFlow("anything", "a", "v2"), "_flows/b.yaml": null });
    const before = test.instance.flows.all("company.mirror").map((f) => `${f.namespace}/${f.id}@${f.revision}`);
    const dry = await sync("sync-dry", `includeChildNamespaces: true\ndelete: true\ndryRun: true`);
    expect(dry.state.current, logsOf(test, dry.id)).toBe("SUCCESS");
    expect(test.instance.flows.all("company.mirror").map((f) => `${f.namespace}/${f.id}@${f.revision}`)).toEqual(
      before,
    );
    const expected = [
      { syncState: "DELETED", flowId: "b", namespace: "company.mirror", revision: 2 },
      { syncState: "DELETED", flowId: "extra", namespace: "company.mirror", revision: 1 },
      { gitPath: "_flows/a.yml", syncState: "UPDATED", flowId: "a", namespace: "company.mirror", revision: 2 },
      {
        gitPath: "_flows/sub/c.yml",
        syncState: "UNCHANGED",
        flowId: "c",
        namespace: "company.mirror.sub",
        revision: 1,
      },
    ];
    expect(await diffRows(test, taskRun(dry, "git").outputs!.flows)).toEqual(expected);

    const real = await sync("sync2", `includeChildNamespaces: true\ndelete: true`);
    expect(real.state.current, logsOf(test, real.id)).toBe("SUCCESS");
    expect(await diffRows(test, taskRun(real, "git").outputs!.flows)).toEqual(expected);
    expect(ids("company.mirror", true)).toEqual(["company.mirror/a", "company.mirror.sub/c"]);
    expect(test.instance.flows.find("company.mirror", "a")!.stored.source).toBe(logFlow("company.mirror", "a", "v2"));
  });

  it("syncs what PushFlows pushed into another namespace, and never deletes the running flow", async () => {
    const ex = await test.run(
      gitFlow("self", "company.copy", "SyncFlows", `${connection()}\ntargetNamespace: company.copy\ndelete: true`),
    );
    expect(ex.state.current, logsOf(test, ex.id)).toBe("SUCCESS");
    expect(ids("company.copy")).toEqual(["company.copy/a", "company.copy/self"]);
    expect(test.instance.flows.find("company.copy", "a")!.stored.source).toBe(logFlow("company.copy", "a", "changed"));
  });

  it("fails naming an invalid flow file, and changes no flow", async () => {
    server.createRepo("broken", {
      "_flows/good.yml": logFlow("x", "good"),
      "_flows/bad.yml": "id: bad\nnamespace: x\ntasks: not-a-list\n",
    });
    await test.instance.deploy(logFlow("company.keep", "kept"));
    const ex = await test.run(
      gitFlow(
        "broken",
        "company.ops",
        "SyncFlows",
        `${connection("broken")}\ntargetNamespace: company.keep\ndelete: true`,
      ),
    );
    expect(ex.state.current).toBe("FAILED");
    expect(logsOf(test, ex.id)).toContain("Invalid flow imported from Git (_flows/bad.yml)");
    expect(ids("company.keep")).toEqual(["company.keep/kept"]);

    const skipped = await test.run(
      gitFlow(
        "skip",
        "company.ops",
        "SyncFlows",
        `${connection("broken")}\ntargetNamespace: company.keep\nignoreInvalidFlows: true`,
      ),
    );
    expect(skipped.state.current, logsOf(test, skipped.id)).toBe("SUCCESS");
    expect(ids("company.keep")).toEqual(["company.keep/good", "company.keep/kept"]);
  });

  it("fails clearly for a missing branch or folder", async () => {
    const branch = await sync("nobranch", "branch: nope");
    expect(branch.state.current).toBe("FAILED");
    expect(logsOf(test, branch.id)).toContain("branch 'nope' does not exist");
    const folder = await sync("nofolder", "gitDirectory: missing");
    expect(folder.state.current).toBe("FAILED");
    expect(logsOf(test, folder.id)).toContain("The directory 'missing' was not found in the git repository");
  });
});
