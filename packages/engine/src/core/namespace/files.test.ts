import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Execution } from "../../model/execution.ts";
import { toStoragePath } from "../../storage/paths.ts";
import { streamToBuffer } from "../../storage/streams.ts";
import { errorMessages, openTestInstance, outputsOf, type TestInstance } from "../../testing/testInstance.ts";
import { namespaceFiles } from "../../storage/taskStorage.ts";

let t: TestInstance;
beforeAll(async () => {
  t = await openTestInstance();
});
afterAll(() => t.close());

const out = outputsOf;
const errors = (x: Execution, taskId: string) => errorMessages(t, x, taskId);
const read = async (uri: unknown) =>
  (await streamToBuffer(await t.instance.storage.get(toStoragePath(String(uri))))).toString("utf8");

describe("namespace files tasks", () => {
  it("uploads stored files, downloads by glob and deletes by glob", async () => {
    const x = await t.run(`id: nsfiles
namespace: company.ns
tasks:
  - id: a
    type: io.kestra.plugin.core.storage.Write
    content: select 1
  - id: b
    type: io.kestra.plugin.core.storage.Write
    content: readme
  - id: upload
    type: io.kestra.plugin.core.namespace.UploadFiles
    namespace: company.shared
    destination: /scripts
    filesMap:
      q/one.sql: "{{ outputs.a.uri }}"
      README.md: "{{ outputs.b.uri }}"
  - id: uploadJson
    type: io.kestra.plugin.core.namespace.UploadFiles
    namespace: company.shared
    filesMap: '{"two.sql": "{{ outputs.a.uri }}"}'
  - id: skip
    type: io.kestra.plugin.core.namespace.UploadFiles
    namespace: company.shared
    conflict: SKIP
    files:
      two.sql: "{{ outputs.b.uri }}"
  - id: download
    type: io.kestra.plugin.core.namespace.DownloadFiles
    namespace: company.shared
    files:
      - "**.sql"
  - id: downloadOne
    type: io.kestra.plugin.core.namespace.DownloadFiles
    namespace: company.shared
    files: /scripts/README.md
  - id: delete
    type: io.kestra.plugin.core.namespace.DeleteFiles
    namespace: company.shared
    files: ["/scripts/**"]
`);
    expect(x.state.current).toBe("SUCCESS");
    expect(Object.keys(out(x, "upload").files as object).sort()).toEqual(["/scripts/README.md", "/scripts/q/one.sql"]);
    expect(out(x, "skip").files).toEqual({});
    const downloaded = out(x, "download").files as Record<string, string>;
    expect(Object.keys(downloaded).sort()).toEqual(["/scripts/q/one.sql", "/two.sql"]);
    expect(await read(downloaded["/two.sql"])).toBe("select 1");
    expect(Object.keys(out(x, "downloadOne").files as object)).toEqual(["/scripts/README.md"]);
    expect(Object.keys(out(x, "delete").files as object).sort()).toEqual(["/scripts/README.md", "/scripts/q/one.sql"]);
    expect(await namespaceFiles(t.instance.storage, "company.shared").list()).toEqual(["/two.sql"]);
  });

  it("uploads working-directory files by glob, and fails on a conflict with ERROR", async () => {
    await namespaceFiles(t.instance.storage, "company.ns").put("/exists.txt", Buffer.from("x"));
    const x = await t.run(`id: conflict
namespace: company.ns
tasks:
  - id: seed
    type: io.kestra.plugin.core.storage.Write
    content: seed
  - id: parallel
    type: io.kestra.plugin.core.flow.Parallel
    tasks:
      - id: wd
        type: io.kestra.plugin.core.namespace.UploadFiles
        files: ["glob:**/*.txt"]
        destination: /from-wd
      - id: again
        type: io.kestra.plugin.core.namespace.UploadFiles
        conflict: ERROR
        filesMap:
          exists.txt: "{{ outputs.seed.uri }}"
      - id: none
        type: io.kestra.plugin.core.namespace.UploadFiles
      - id: notUri
        type: io.kestra.plugin.core.namespace.UploadFiles
        filesMap:
          a.txt: /etc/passwd
`);
    expect(out(x, "wd").files).toEqual({}); // an empty working directory
    expect(errors(x, "again")).toEqual([
      "File '/exists.txt' already exists in namespace 'company.ns' and conflict is set to ERROR",
    ]);
    expect(errors(x, "none")).toEqual(["files or filesMap is required"]);
    expect(errors(x, "notUri")).toEqual(["'filesMap.a.txt' must be a kestra:// URI, got '/etc/passwd'"]);
    expect(await namespaceFiles(t.instance.storage, "company.ns").get("/exists.txt")).toEqual(Buffer.from("x"));
  });

  it("uploads the files of a WorkingDirectory matching a glob, keeping their folders", async () => {
    const x = await t.run(`id: upload-wd
namespace: company.nsup
tasks:
  - id: wd
    type: io.kestra.plugin.core.flow.WorkingDirectory
    tasks:
      - id: write
        type: io.kestra.plugin.core.storage.LocalFiles
        inputs:
          a.txt: first
          sub/b.txt: second
          c.csv: not text
      - id: upload
        type: io.kestra.plugin.core.namespace.UploadFiles
        files: ["glob:**/*.txt"]
        destination: /from-wd
`);
    expect(x.state.current).toBe("SUCCESS");
    expect(Object.keys(out(x, "upload").files as object).sort()).toEqual(["/from-wd/a.txt", "/from-wd/sub/b.txt"]);
    const ns = namespaceFiles(t.instance.storage, "company.nsup");
    expect((await ns.get("/from-wd/sub/b.txt")).toString()).toBe("second");
    expect(await ns.exists("/from-wd/c.csv")).toBe(false);
  });
});
