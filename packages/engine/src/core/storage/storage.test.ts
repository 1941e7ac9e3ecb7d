import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { streamToBuffer } from "../../storage/streams.ts";
import { toStoragePath } from "../../storage/paths.ts";
import { errorMessages, openTestInstance, outputsOf, taskRuns, type TestInstance } from "../../testing/testInstance.ts";
import type { Execution } from "../../model/execution.ts";

let t: TestInstance;
beforeAll(async () => {
  t = await openTestInstance();
});
afterAll(() => t.close());

const out = outputsOf;
const read = async (uri: unknown) =>
  (await streamToBuffer(await t.instance.storage.get(toStoragePath(String(uri))))).toString("utf8");
const errors = (x: Execution, taskId: string) => errorMessages(t, x, taskId);

function flow(id: string, tasks: string): string {
  return `id: ${id}\nnamespace: company.storage\ntasks:\n${tasks}`;
}

describe("storage tasks", () => {
  it("writes, concatenates, sizes, reverses and deletes files", async () => {
    const x = await t.run(
      flow(
        "files",
        `  - id: a
    type: io.kestra.plugin.core.storage.Write
    content: "1\\n2\\n3\\n"
    extension: .yml
  - id: b
    type: io.kestra.plugin.core.storage.Write
    content: "x"
    extension: txt
  - id: concat
    type: io.kestra.core.tasks.storages.Concat
    files: '["{{ outputs.a.uri }}", "{{ outputs.b.uri }}"]'
    separator: "|"
    extension: .yml
  - id: concatList
    type: io.kestra.plugin.core.storage.Concat
    files:
      - "{{ outputs.b.uri }}"
      - "{{ outputs.b.uri }}"
  - id: size
    type: io.kestra.plugin.core.storage.Size
    uri: "{{ outputs.concat.uri }}"
  - id: reverse
    type: io.kestra.plugin.core.storage.Reverse
    from: "{{ outputs.a.uri }}"
  - id: delete
    type: io.kestra.plugin.core.storage.Delete
    uri: "{{ outputs.b.uri }}"
  - id: deleteAgain
    type: io.kestra.plugin.core.storage.Delete
    uri: "{{ outputs.b.uri }}"
`,
      ),
    );
    expect(x.state.current).toBe("SUCCESS");
    expect(out(x, "a")).toMatchObject({
      uri: expect.stringMatching(/^kestra:\/\/\/company\/storage\/files\/executions\/.+\.yml$/),
      size: 6,
    });
    expect(String(out(x, "b").uri)).toMatch(/\.txt$/);
    expect(await read(out(x, "concat").uri)).toBe("1\n2\n3\n|x|");
    expect(String(out(x, "concat").uri)).toMatch(/\.yml$/);
    expect(await read(out(x, "concatList").uri)).toBe("xx");
    expect(out(x, "size")).toEqual({ size: 9 });
    expect(await read(out(x, "reverse").uri)).toBe("3\n2\n1\n");
    expect(String(out(x, "reverse").uri)).toMatch(/\.yml$/);
    expect(out(x, "delete")).toEqual({ uri: out(x, "b").uri, deleted: true });
    expect(out(x, "deleteAgain")).toEqual({ uri: out(x, "b").uri, deleted: false });
  });

  it("splits by rows, bytes and partitions", async () => {
    const lines = Array.from({ length: 100 }, (_, i) => String(i).padStart(20));
    const x = await t.run(
      flow(
        "split",
        `  - id: file
    type: io.kestra.plugin.core.storage.Write
    content: "{{ inputs.text }}"
    extension: .csv
  - id: rows
    type: io.kestra.plugin.core.storage.Split
    from: "{{ outputs.file.uri }}"
    rows: 10
  - id: bytes
    type: io.kestra.plugin.core.storage.Split
    from: "{{ outputs.file.uri }}"
    bytes: 1KB
  - id: partitions
    type: io.kestra.plugin.core.storage.Split
    from: "{{ outputs.file.uri }}"
    partitions: "{{ 8 }}"
inputs:
  - id: text
    type: STRING
`,
      ),
      { text: `${lines.join("\n")}\n` },
    );
    expect(x.state.current).toBe("SUCCESS");
    const rows = out(x, "rows").uris as string[];
    expect(rows).toHaveLength(10);
    expect(rows[0]).toMatch(/\.csv$/);
    expect((await Promise.all(rows.map(read))).join("")).toBe(`${lines.join("\n")}\n`);
    const bytes = out(x, "bytes").uris as string[];
    expect(bytes).toHaveLength(3); // 21 bytes a line: 49 lines reach 1024 bytes
    expect((await Promise.all(bytes.map(read))).join("")).toBe(`${lines.join("\n")}\n`);
    const partitions = out(x, "partitions").uris as string[];
    expect(partitions).toHaveLength(8);
    expect((await Promise.all(partitions.map(read))).join("").split("\n").filter(Boolean).sort()).toEqual(
      [...lines].sort(),
    );
  });

  it("filters and deduplicates ION items", async () => {
    const x = await t.run(
      flow(
        "items",
        `  - id: file
    type: io.kestra.plugin.core.storage.Write
    content: |
      {key:"k1",value:1}
      {key:"k2",value:2}
      {key:"k1",value:3}
      {key:"k3",value:"dummy"}
      {key:"k2",value:4}
  - id: even
    type: io.kestra.plugin.core.storage.FilterItems
    from: "{{ outputs.file.uri }}"
    filterCondition: " {{ value % 2 == 0 }} "
    errorOrNullBehavior: EXCLUDE
  - id: odd
    type: io.kestra.plugin.core.storage.FilterItems
    from: "{{ outputs.file.uri }}"
    filterCondition: "{{ value % 2 == 0 }}"
    filterType: EXCLUDE
    errorOrNullBehavior: INCLUDE
  - id: dedup
    type: io.kestra.plugin.core.storage.DeduplicateItems
    from: "{{ outputs.file.uri }}"
    expr: "{{ key }}"
  - id: strict
    type: io.kestra.plugin.core.storage.FilterItems
    from: "{{ outputs.file.uri }}"
    filterCondition: "{{ value % 2 == 0 }}"
`,
      ),
    );
    expect(out(x, "even")).toMatchObject({ processedItemsTotal: 5, droppedItemsTotal: 3 });
    expect(await read(out(x, "even").uri)).toBe('{key:"k2",value:2}\n{key:"k2",value:4}\n');
    expect(String(out(x, "even").uri)).toMatch(/\.ion$/);
    expect(out(x, "odd")).toMatchObject({ processedItemsTotal: 5, droppedItemsTotal: 2 });
    expect(await read(out(x, "odd").uri)).toBe('{key:"k1",value:1}\n{key:"k1",value:3}\n{key:"k3",value:"dummy"}\n');
    expect(out(x, "dedup")).toMatchObject({ numKeys: 3, processedItemsTotal: 5, droppedItemsTotal: 2 });
    expect(await read(out(x, "dedup").uri)).toBe('{key:"k1",value:3}\n{key:"k3",value:"dummy"}\n{key:"k2",value:4}\n');
    expect(taskRuns(x, "strict")[0]!.state.current).toBe("FAILED");
    expect(errors(x, "strict")[0]).toMatch(
      /^Expression `\{\{ value % 2 == 0 \}\}` failed on item `\{key:"k3",value:"dummy"\}`/,
    );
    expect(x.state.current).toBe("FAILED");
  });

  it("writes and collects working-directory files with LocalFiles", async () => {
    const x = await t.run(
      flow(
        "local",
        `  - id: source
    type: io.kestra.plugin.core.storage.Write
    content: from storage
  - id: files
    type: io.kestra.plugin.core.storage.LocalFiles
    inputs:
      hello.txt: Hello {{ flow.id }}
      test/sub/copy.txt: "{{ outputs.source.uri }}"
      test/other.md: other
    outputs:
      - hello.txt
      - test/**.txt
`,
      ),
    );
    expect(x.state.current).toBe("SUCCESS");
    const uris = out(x, "files").uris as Record<string, string>;
    expect(Object.keys(uris).sort()).toEqual(["hello.txt", "test/sub/copy.txt"]);
    expect(await read(uris["hello.txt"])).toBe("Hello local");
    expect(await read(uris["test/sub/copy.txt"])).toBe("from storage");
  });

  it("purges the execution's files", async () => {
    const x = await t.run(
      flow(
        "purge",
        `  - id: file
    type: io.kestra.plugin.core.storage.Write
    content: data
  - id: purge
    type: io.kestra.plugin.core.storage.PurgeCurrentExecutionFiles
  - id: size
    type: io.kestra.plugin.core.storage.Size
    uri: "{{ outputs.file.uri }}"
`,
      ),
    );
    expect(out(x, "purge").uris).toEqual([out(x, "file").uri]);
    expect(taskRuns(x, "size")[0]!.state.current).toBe("FAILED");
    expect(errors(x, "size")[0]).toBe(`Unable to find file at uri '${out(x, "file").uri}'`);
  });

  it("fails clearly on bad URIs, missing files and bad properties", async () => {
    const x = await t.run(
      flow(
        "bad",
        `  - id: parallel
    type: io.kestra.plugin.core.flow.Parallel
    tasks:
      - id: notUri
        type: io.kestra.plugin.core.storage.Size
        uri: /tmp/file.txt
      - id: missing
        type: io.kestra.plugin.core.storage.Concat
        files: ["kestra:///company/storage/bad/executions/nope/file.txt"]
      - id: notJson
        type: io.kestra.plugin.core.storage.Concat
        files: "not a list"
      - id: noMode
        type: io.kestra.plugin.core.storage.Split
        from: "kestra:///company/storage/bad/executions/nope/file.txt"
      - id: badRows
        type: io.kestra.plugin.core.storage.Split
        from: "kestra:///company/storage/bad/executions/nope/file.txt"
        rows: "{{ 'many' }}"
      - id: otherExecution
        type: io.kestra.plugin.core.storage.Size
        uri: "kestra:///company/other/flow/executions/abc/tasks/t/1/file.txt"
      - id: missingDelete
        type: io.kestra.plugin.core.storage.Delete
        uri: "kestra:///company/storage/bad/executions/{{ execution.id }}/nope.txt"
        errorOnMissing: true
`,
      ),
    );
    expect(x.state.current).toBe("FAILED");
    for (const id of ["notUri", "missing", "notJson", "noMode", "badRows", "otherExecution", "missingDelete"])
      expect(taskRuns(x, id)[0]!.state.current, id).toBe("FAILED");
    expect(errors(x, "notUri")[0]).toBe("'uri' must be a kestra:// URI, got '/tmp/file.txt'");
    expect(errors(x, "missing")[0]).toMatch(
      /^Unable to read 'kestra:\/\/\/company\/storage\/bad\/executions\/nope\/file.txt': only files of this execution/,
    );
    expect(errors(x, "notJson")[0]).toBe("'files' must be a list of kestra:// URIs or its JSON text, got 'not a list'");
    expect(errors(x, "noMode")[0]).toBe("Exactly one of 'bytes', 'partitions' or 'rows' must be set");
    expect(errors(x, "badRows")[0]).toBe(`property 'rows' must be a number (got "many")`);
    expect(errors(x, "otherExecution")[0]).toMatch(/^Unable to read/);
    expect(errors(x, "missingDelete")[0]).toMatch(
      /^Unable to find file 'kestra:\/\/\/company\/storage\/bad\/executions\/.+\/nope.txt'$/,
    );
  });
});
