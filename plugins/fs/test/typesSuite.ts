/**
 * Every task of the plugin against a server of one protocol, through a real engine instance:
 * the same cases for SFTP, FTP and FTPS (called by fs.test.ts and ftps.test.ts).
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import type { TestInstance } from "@saker/engine/testing";
import { outputsOf, storedText, taskFlow, type TestServer } from "./support.ts";

function put(server: TestServer, path: string, content: string | Buffer): void {
  const full = join(server.root, path);
  mkdirSync(join(full, ".."), { recursive: true });
  writeFileSync(full, content);
}

export function describeTypes(
  protocol: "sftp" | "ftp" | "ftps",
  test: () => TestInstance,
  server: () => TestServer,
): void {
  const errors = (executionId: string) =>
    test()
      .instance.logs.find({ executionId, minLevel: "ERROR" })
      .map((e) => e.message)
      .join("\n");
  const type = (name: string) => `io.kestra.plugin.fs.${protocol}.${name}`;
  const dir = `/${protocol}-work`;

  it("uploads a file from storage and downloads it back with its checksum", async () => {
    const before = `  - id: write
    type: io.kestra.plugin.core.storage.Write
    content: "id,name\\n1,Ada\\n"
    extension: .csv
`;
    const up = await test().run(
      taskFlow(
        `${protocol}-upload`,
        type("Upload"),
        `${server().connection()}\nfrom: "{{ outputs.write.uri }}"\nto: "${dir}/up/report.csv"`,
        before,
      ),
    );
    expect(up.state.current, errors(up.id)).toBe("SUCCESS");
    expect(outputsOf(up, "t").to).toBe(`${protocol}://127.0.0.1${dir}/up/report.csv`);
    expect(readFileSync(join(server().root, dir, "up/report.csv"), "utf8")).toBe("id,name\n1,Ada\n");

    const down = await test().run(
      taskFlow(`${protocol}-download`, type("Download"), `${server().connection()}\nfrom: "${dir}/up/report.csv"`),
    );
    expect(down.state.current, errors(down.id)).toBe("SUCCESS");
    const out = outputsOf(down, "t");
    expect(out.from).toBe(`${protocol}://127.0.0.1${dir}/up/report.csv`);
    expect(await storedText(test(), out.to as string)).toBe("id,name\n1,Ada\n");
    expect(out.checksum).toBe(createHash("sha256").update("id,name\n1,Ada\n").digest("hex"));
  });

  it("uploads several files into a directory under the names of a map (Uploads)", async () => {
    const before = `  - id: a
    type: io.kestra.plugin.core.storage.Write
    content: first
  - id: b
    type: io.kestra.plugin.core.storage.Write
    content: second
`;
    const ex = await test().run(
      taskFlow(
        `${protocol}-uploads`,
        type("Uploads"),
        `${server().connection()}\nfrom:\n  one.txt: "{{ outputs.a.uri }}"\n  two.txt: "{{ outputs.b.uri }}"\nto: "${dir}/many"`,
        before,
      ),
    );
    expect(ex.state.current, errors(ex.id)).toBe("SUCCESS");
    expect(outputsOf(ex, "t").files).toEqual([
      `${protocol}://127.0.0.1${dir}/many/one.txt`,
      `${protocol}://127.0.0.1${dir}/many/two.txt`,
    ]);
    expect(readFileSync(join(server().root, dir, "many/two.txt"), "utf8")).toBe("second");
  });

  it("lists files with regExp, recursive, sort and maxFiles", async () => {
    put(server(), `${dir}/list/b.csv`, "b");
    put(server(), `${dir}/list/a.csv`, "aa");
    put(server(), `${dir}/list/c.txt`, "c");
    put(server(), `${dir}/list/sub/d.csv`, "ddd");
    const flat = await test().run(
      taskFlow(
        `${protocol}-list`,
        type("List"),
        `${server().connection()}\nfrom: "${dir}/list/"\nregExp: ".*\\\\.csv"\nsort: NAME_ASC`,
      ),
    );
    expect(flat.state.current, errors(flat.id)).toBe("SUCCESS");
    const files = outputsOf(flat, "t").files as { path: string; name: string; size: number; fileType: string }[];
    expect(files.map((f) => f.path)).toEqual([`${dir}/list/a.csv`, `${dir}/list/b.csv`]);
    expect(files[0]).toMatchObject({ name: "a.csv", size: 2, fileType: "FILE" });

    const deep = await test().run(
      taskFlow(
        `${protocol}-list-deep`,
        type("List"),
        `${server().connection()}\nfrom: "${dir}/list"\nrecursive: true\nsort: NAME_DESC\nmaxFiles: 3`,
      ),
    );
    expect(deep.state.current, errors(deep.id)).toBe("SUCCESS");
    expect((outputsOf(deep, "t").files as { name: string }[]).map((f) => f.name)).toEqual(["d.csv", "c.txt", "b.csv"]);
  });

  it("downloads a directory and moves the files away (Downloads, action MOVE)", async () => {
    put(server(), `${dir}/in/one.txt`, "1");
    put(server(), `${dir}/in/two.txt`, "22");
    const ex = await test().run(
      taskFlow(
        `${protocol}-downloads`,
        type("Downloads"),
        `${server().connection()}\nfrom: "${dir}/in/"\naction: MOVE\nmoveDirectory: "${dir}/archive/"`,
      ),
    );
    expect(ex.state.current, errors(ex.id)).toBe("SUCCESS");
    const out = outputsOf(ex, "t") as { files: { name: string; path: string }[]; outputFiles: Record<string, string> };
    expect(Object.keys(out.outputFiles).sort()).toEqual(["one.txt", "two.txt"]);
    expect(await storedText(test(), out.outputFiles["two.txt"]!)).toBe("22");
    expect(out.files.every((f) => f.path.startsWith("kestra://"))).toBe(true);
    expect(existsSync(join(server().root, dir, "in/one.txt"))).toBe(false);
    expect(readFileSync(join(server().root, dir, "archive/one.txt"), "utf8")).toBe("1");
  });

  it("deletes the downloaded files (Downloads, action DELETE)", async () => {
    put(server(), `${dir}/del-in/x.txt`, "x");
    const ex = await test().run(
      taskFlow(
        `${protocol}-downloads-del`,
        type("Downloads"),
        `${server().connection()}\nfrom: "${dir}/del-in"\naction: DELETE`,
      ),
    );
    expect(ex.state.current, errors(ex.id)).toBe("SUCCESS");
    expect(Object.keys(outputsOf(ex, "t").outputFiles as object)).toEqual(["x.txt"]);
    expect(existsSync(join(server().root, dir, "del-in/x.txt"))).toBe(false);
  });

  it("moves a file, into a directory when `to` ends with /, and refuses to overwrite by default", async () => {
    put(server(), `${dir}/mv/a.txt`, "a");
    put(server(), `${dir}/mv/b.txt`, "b");
    const ex = await test().run(
      taskFlow(
        `${protocol}-move`,
        type("Move"),
        `${server().connection()}\nfrom: "${dir}/mv/a.txt"\nto: "${dir}/mv/dest/"`,
      ),
    );
    expect(ex.state.current, errors(ex.id)).toBe("SUCCESS");
    expect(outputsOf(ex, "t")).toEqual({
      from: `${protocol}://127.0.0.1${dir}/mv/a.txt`,
      to: `${protocol}://127.0.0.1${dir}/mv/dest/a.txt`,
    });
    expect(readFileSync(join(server().root, dir, "mv/dest/a.txt"), "utf8")).toBe("a");

    put(server(), `${dir}/mv/c.txt`, "c");
    const refused = await test().run(
      taskFlow(
        `${protocol}-move-no`,
        type("Move"),
        `${server().connection()}\nfrom: "${dir}/mv/c.txt"\nto: "${dir}/mv/b.txt"`,
      ),
    );
    expect(refused.state.current).toBe("FAILED");
    expect(errors(refused.id)).toMatch(/already exists.*overwrite/);
    const replaced = await test().run(
      taskFlow(
        `${protocol}-move-yes`,
        type("Move"),
        `${server().connection()}\nfrom: "${dir}/mv/c.txt"\nto: "${dir}/mv/b.txt"\noverwrite: true`,
      ),
    );
    expect(replaced.state.current, errors(replaced.id)).toBe("SUCCESS");
    expect(readFileSync(join(server().root, dir, "mv/b.txt"), "utf8")).toBe("c");
  });

  it("deletes a file, a tree (recursive) and files matching a regExp", async () => {
    put(server(), `${dir}/rm/a.txt`, "a");
    put(server(), `${dir}/rm/tree/deep/b.txt`, "b");
    put(server(), `${dir}/rm/re/keep.txt`, "k");
    put(server(), `${dir}/rm/re/drop.log`, "d");
    const one = await test().run(
      taskFlow(`${protocol}-delete`, type("Delete"), `${server().connection()}\nuri: "${dir}/rm/a.txt"`),
    );
    expect(one.state.current, errors(one.id)).toBe("SUCCESS");
    expect(outputsOf(one, "t")).toEqual({ uri: `${protocol}://127.0.0.1${dir}/rm/a.txt`, deleted: true, uris: [] });
    expect(existsSync(join(server().root, dir, "rm/a.txt"))).toBe(false);

    const tree = await test().run(
      taskFlow(
        `${protocol}-delete-tree`,
        type("Delete"),
        `${server().connection()}\nuri: "${dir}/rm/tree"\nrecursive: true`,
      ),
    );
    expect(tree.state.current, errors(tree.id)).toBe("SUCCESS");
    expect(existsSync(join(server().root, dir, "rm/tree"))).toBe(false);

    const re = await test().run(
      taskFlow(
        `${protocol}-delete-re`,
        type("Delete"),
        `${server().connection()}\nuri: "${dir}/rm/re"\nregExp: ".*\\\\.log"`,
      ),
    );
    expect(re.state.current, errors(re.id)).toBe("SUCCESS");
    expect(outputsOf(re, "t").uris).toEqual([`${protocol}://127.0.0.1${dir}/rm/re/drop.log`]);
    expect(existsSync(join(server().root, dir, "rm/re/keep.txt"))).toBe(true);

    const missing = await test().run(
      taskFlow(`${protocol}-delete-missing`, type("Delete"), `${server().connection()}\nuri: "${dir}/rm/nope.txt"`),
    );
    expect(outputsOf(missing, "t").deleted).toBe(false);
    const strict = await test().run(
      taskFlow(
        `${protocol}-delete-strict`,
        type("Delete"),
        `${server().connection()}\nuri: "${dir}/rm/nope.txt"\nerrorOnMissing: true`,
      ),
    );
    expect(strict.state.current).toBe("FAILED");
    expect(errors(strict.id)).toContain(`${dir}/rm/nope.txt`);
  });

  it("fails a download of a missing file with a message naming it", async () => {
    const ex = await test().run(
      taskFlow(`${protocol}-missing`, type("Download"), `${server().connection()}\nfrom: "${dir}/absent/file.bin"`),
    );
    expect(ex.state.current).toBe("FAILED");
    expect(errors(ex.id)).toContain(`Unable to find the file '${dir}/absent/file.bin'`);
  });

  it("fails on a wrong password, naming the server and never the password", async () => {
    const ex = await test().run(
      taskFlow(
        `${protocol}-badpass`,
        type("List"),
        `${server().connection({ password: "not-the-password" })}\nfrom: "/"`,
      ),
    );
    expect(ex.state.current).toBe("FAILED");
    expect(errors(ex.id)).toMatch(/refused the login/);
    expect(errors(ex.id)).toContain(`127.0.0.1:${server().port}`);
    const all = JSON.stringify(test().instance.logs.find({ executionId: ex.id })) + JSON.stringify(ex);
    expect(all).not.toContain("not-the-password");
  });
}
