/**
 * PushNamespaceFiles then SyncNamespaceFiles through a real git server on loopback: the files of
 * one namespace go to a repository folder and come back into another namespace, a dry run
 * changes nothing, and paths or links leaving the repository are refused with nothing written.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { namespaceFiles, type TestInstance } from "@saker/engine/testing";
import {
  TOKEN,
  USER,
  diffRows,
  gitFlow,
  gitInstance,
  logsOf,
  startGitServer,
  taskRun,
  type TestGitServer,
} from "../test/support.ts";

let test: TestInstance;
let server: TestGitServer;
let outside: string;

beforeAll(async () => {
  test = await gitInstance();
  server = await startGitServer();
  server.createRepo("files", { "README.md": "kept\n" });
  outside = mkdtempSync(join(tmpdir(), "saker-outside-"));
  writeFileSync(join(outside, "secret.txt"), "OUTSIDE-SECRET");
});
afterAll(async () => {
  await test?.close();
  await server?.close();
  rmSync(outside, { recursive: true, force: true });
});

const connection = (repo = "files") => `url: ${server.url(repo)}\nusername: ${USER}\npassword: ${TOKEN}`;
const files = (namespace: string) => namespaceFiles(test.instance.storage, namespace);
const listed = async (namespace: string) => (await files(namespace).list()).map((p) => p.replace(/^\/+/, "")).sort();
const text = async (namespace: string, path: string) => (await files(namespace).get(path)).toString("utf8");

describe("PushNamespaceFiles and SyncNamespaceFiles", () => {
  it("push the files of a namespace, then sync them into another one (added, overwritten, deleted)", async () => {
    await files("company.src").put("scripts/etl.py", Buffer.from("print('etl')\n"));
    await files("company.src").put("queries/q.sql", Buffer.from("select 1;\n"));
    await files("company.src").put("notes.txt", Buffer.from("not pushed\n"));

    const push = await test.run(
      gitFlow("push", "company.src", "PushNamespaceFiles", `${connection()}\nfiles: ["scripts/**", "queries/*.sql"]`),
    );
    expect(push.state.current, logsOf(test, push.id)).toBe("SUCCESS");
    expect(server.show("files", "_files/scripts/etl.py")).toBe("print('etl')\n");
    expect(server.show("files", "_files/queries/q.sql")).toBe("select 1;\n");
    expect(server.show("files", "_files/notes.txt")).toBeUndefined();
    expect(server.show("files", "README.md")).toBe("kept\n");
    expect(server.log("files")[0]).toBe(`${USER} <saker@localhost>|Add files from company.src namespace`);
    const out = taskRun(push, "git").outputs as Record<string, string>;
    expect(await diffRows(test, out.files)).toEqual([
      { file: "_files/queries/q.sql", additions: "+1", deletions: "-0", changes: "0" },
      { file: "_files/scripts/etl.py", additions: "+1", deletions: "-0", changes: "0" },
    ]);

    await files("company.dst").put("queries/q.sql", Buffer.from("select 0;\n"));
    await files("company.dst").put("scripts/etl.py", Buffer.from("print('etl')\n"));
    await files("company.dst").put("local.txt", Buffer.from("only here\n"));
    const sync = (id: string, extra = "") =>
      test.run(gitFlow(id, "company.ops", "SyncNamespaceFiles", `${connection()}\nnamespace: company.dst\n${extra}`));

    const dry = await sync("dry", "delete: true\ndryRun: true");
    expect(dry.state.current, logsOf(test, dry.id)).toBe("SUCCESS");
    expect(await listed("company.dst")).toEqual(["local.txt", "queries/q.sql", "scripts/etl.py"]);
    expect(await text("company.dst", "queries/q.sql")).toBe("select 0;\n");
    const expected = [
      { syncState: "DELETED", kestraPath: "/company/dst/_files/local.txt" },
      { gitPath: "_files/queries/q.sql", syncState: "OVERWRITTEN", kestraPath: "/company/dst/_files/queries/q.sql" },
      { gitPath: "_files/scripts/etl.py", syncState: "UNCHANGED", kestraPath: "/company/dst/_files/scripts/etl.py" },
    ];
    expect(await diffRows(test, taskRun(dry, "git").outputs!.files)).toEqual(expected);

    const real = await sync("real", "delete: true");
    expect(real.state.current, logsOf(test, real.id)).toBe("SUCCESS");
    expect(await diffRows(test, taskRun(real, "git").outputs!.files)).toEqual(expected);
    expect(await listed("company.dst")).toEqual(["queries/q.sql", "scripts/etl.py"]);
    expect(await text("company.dst", "queries/q.sql")).toBe("select 1;\n");

    const kept = await sync("kept");
    expect(kept.state.current).toBe("SUCCESS");
    expect((await diffRows(test, taskRun(kept, "git").outputs!.files)).map((r) => r.syncState)).toEqual([
      "UNCHANGED",
      "UNCHANGED",
    ]);
  });

  it("push removes files deleted from the namespace, and a dry run pushes nothing", async () => {
    await files("company.src").delete("queries/q.sql");
    const before = server.log("files");
    const dry = await test.run(gitFlow("dry", "company.src", "PushNamespaceFiles", `${connection()}\ndryRun: true`));
    expect(dry.state.current, logsOf(test, dry.id)).toBe("SUCCESS");
    expect(server.log("files")).toEqual(before);
    expect(await diffRows(test, taskRun(dry, "git").outputs!.files)).toEqual([
      { file: "_files/notes.txt", additions: "+1", deletions: "-0", changes: "0" },
      { file: "_files/queries/q.sql", additions: "+0", deletions: "-1", changes: "0" },
    ]);
    const real = await test.run(
      gitFlow("real", "company.src", "PushNamespaceFiles", `${connection()}\nbranch: feature\nauthorName: Bot`),
    );
    expect(real.state.current, logsOf(test, real.id)).toBe("SUCCESS");
    expect(server.log("files")).toEqual(before); // main untouched
    expect(server.log("files", "feature")[0]).toBe("Bot <saker@localhost>|Add files from company.src namespace");
    expect(server.show("files", "_files/queries/q.sql", "feature")).toBeUndefined();
    expect(server.show("files", "_files/notes.txt", "feature")).toBe("not pushed\n");
  });

  it("honours .kestraignore both ways, warning of a rule that does not compile", async () => {
    server.createRepo("ignore", {
      "_files/.kestraignore": "*.log\nlocal/\n[z-a]\n",
      "_files/keep.txt": "keep\n",
      "_files/debug.log": "noise\n",
      "_files/local/mine.txt": "only in git\n",
      "_files/sub/.kestraignore": "nested: a plain file\n",
    });
    const sync = await test.run(
      gitFlow("ign", "company.ops", "SyncNamespaceFiles", `${connection("ignore")}\nnamespace: company.ign`),
    );
    expect(sync.state.current, logsOf(test, sync.id)).toBe("SUCCESS");
    expect(await listed("company.ign")).toEqual(["keep.txt", "sub/.kestraignore"]);
    expect(logsOf(test, sync.id)).toMatch(
      /\.kestraignore rule '\[z-a\]' is not a valid glob and matches nothing: invalid character class range/,
    );

    await files("company.ign").put("trace.log", Buffer.from("local log\n"));
    const push = await test.run(gitFlow("ign", "company.ign", "PushNamespaceFiles", connection("ignore")));
    expect(push.state.current, logsOf(test, push.id)).toBe("SUCCESS");
    expect(server.show("ignore", "_files/local/mine.txt")).toBe("only in git\n"); // ignored: not deleted
    expect(server.show("ignore", "_files/debug.log")).toBe("noise\n");
    expect(server.show("ignore", "_files/trace.log")).toBeUndefined(); // ignored: not pushed
    expect(server.show("ignore", "_files/.kestraignore")).toBe("*.log\nlocal/\n[z-a]\n");
  });

  it("refuses a gitDirectory leaving the repository, writing nothing", async () => {
    for (const dir of ["../escape", "/etc", "a/../../b", ".git"]) {
      const ex = await test.run(
        gitFlow(
          "escape",
          "company.ops",
          "SyncNamespaceFiles",
          `${connection()}\nnamespace: company.esc\ngitDirectory: "${dir}"`,
        ),
      );
      expect(ex.state.current).toBe("FAILED");
      expect(logsOf(test, ex.id)).toMatch(/must be a relative path|leaves its folder|\.git folder/);
      const push = await test.run(
        gitFlow("escape", "company.src", "PushNamespaceFiles", `${connection()}\ngitDirectory: "${dir}"`),
      );
      expect(push.state.current).toBe("FAILED");
    }
    expect(await listed("company.esc")).toEqual([]);
  });

  it("refuses a symbolic link pointing outside the repository, writing nothing", async () => {
    server.createRepo("links", {
      "_files/ok.txt": "fine\n",
      "_files/leak.txt": { link: join(outside, "secret.txt") },
      linked: { link: outside },
    });
    const ex = await test.run(
      gitFlow("links", "company.ops", "SyncNamespaceFiles", `${connection("links")}\nnamespace: company.links`),
    );
    expect(ex.state.current).toBe("FAILED");
    expect(logsOf(test, ex.id)).toContain("'_files/leak.txt' in the repository is a symbolic link pointing outside it");
    expect(await listed("company.links")).toEqual([]);

    const folder = await test.run(
      gitFlow(
        "folder",
        "company.ops",
        "SyncNamespaceFiles",
        `${connection("links")}\nnamespace: company.links\ngitDirectory: linked`,
      ),
    );
    expect(folder.state.current).toBe("FAILED");
    expect(logsOf(test, folder.id)).toContain("'linked' is a symbolic link, refused");
    expect(await listed("company.links")).toEqual([]);

    await files("company.linkpush").put("x.txt", Buffer.from("x"));
    const push = await test.run(
      gitFlow("push", "company.linkpush", "PushNamespaceFiles", `${connection("links")}\ngitDirectory: linked`),
    );
    expect(push.state.current).toBe("FAILED");
    expect(existsSync(join(outside, "x.txt"))).toBe(false);
  });
});
