import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { eventually, openTestInstance, taskRuns, type TestInstance } from "../../testing/testInstance.ts";
import { executionPrefix } from "../../storage/paths.ts";
import { sharedDirectoryPath } from "../../worker/workingDirectory.ts";
import { namespaceFiles } from "../../storage/taskStorage.ts";

let t: TestInstance;
beforeAll(async () => {
  t = await openTestInstance();
});
afterAll(async () => {
  await t.close();
});

describe("WorkingDirectory", () => {
  it("shares one directory between its tasks, with inputFiles first and outputFiles uploaded", async () => {
    const x = await t.run(`id: wd
namespace: wd.tests
tasks:
  - id: wd
    type: io.kestra.plugin.core.flow.WorkingDirectory
    inputFiles:
      input.txt: "hello {{ flow.id }}"
    outputFiles:
      - "*.csv"
    tasks:
      - id: write
        type: io.kestra.plugin.core.storage.LocalFiles
        inputs:
          out.csv: "a,b"
          other.txt: ignored
      - id: read
        type: io.kestra.plugin.core.storage.LocalFiles
        outputs:
          - input.txt
  - id: content
    type: io.kestra.plugin.core.debug.Return
    format: "{{ read(outputs.read.uris['input.txt']) }} / {{ read(outputs.wd.outputFiles['out.csv']) }}"
`);
    expect(x.state.current).toBe("SUCCESS");
    expect(Object.keys(taskRuns(x, "wd")[0]!.outputs?.outputFiles as object)).toEqual(["out.csv"]);
    expect(taskRuns(x, "content")[0]!.outputs?.value).toBe("hello wd / a,b");
    // uploaded once, after the task that wrote it, not again after the next one
    const stored = await t.instance.storage.list(executionPrefix("wd.tests", "wd", x.id));
    expect(stored.filter((p) => p.endsWith("out.csv"))).toHaveLength(1);
    // the shared directory goes once the WorkingDirectory ended
    const dir = sharedDirectoryPath(t.instance.config.tmpDir, taskRuns(x, "wd")[0]!.id);
    await eventually(() => (existsSync(dir) ? undefined : true), 5_000, `${dir} to be removed`);
  });

  it("copies namespace files, honouring include and exclude", async () => {
    const ns = namespaceFiles(t.instance.storage, "wd.ns");
    await ns.put("scripts/a.sql", Buffer.from("select 1"));
    await ns.put("ignore/b.sql", Buffer.from("select 2"));
    const x = await t.run(`id: wd-ns
namespace: wd.ns
tasks:
  - id: wd
    type: io.kestra.plugin.core.flow.WorkingDirectory
    namespaceFiles:
      enabled: true
      exclude:
        - ignore/**
    tasks:
      - id: list
        type: io.kestra.plugin.core.storage.LocalFiles
        outputs:
          - "**/*.sql"
`);
    expect(x.state.current).toBe("SUCCESS");
    expect(Object.keys(taskRuns(x, "list")[0]!.outputs?.uris as object)).toEqual(["scripts/a.sql"]);
  });

  it("gives its tasks the value of an enclosing ForEach, and refuses files outside the directory", async () => {
    const x = await t.run(`id: wd-each
namespace: wd.tests
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: ["a", "b"]
    tasks:
      - id: wd
        type: io.kestra.plugin.core.flow.WorkingDirectory
        tasks:
          - id: value
            type: io.kestra.plugin.core.debug.Return
            format: "{{ taskrun.value }}"
`);
    expect(x.state.current).toBe("SUCCESS");
    expect(
      taskRuns(x, "value")
        .map((r) => r.outputs?.value)
        .sort(),
    ).toEqual(["a", "b"]);
    const bad = await t.run(`id: wd-escape
namespace: wd.tests
tasks:
  - id: wd
    type: io.kestra.plugin.core.flow.WorkingDirectory
    inputFiles:
      ../../escape.txt: nope
    tasks:
      - id: write
        type: io.kestra.plugin.core.storage.LocalFiles
        inputs:
          a.txt: a
`);
    expect(bad.state.current).toBe("FAILED");
  });

  it("gives its tasks the WorkingDirectory's task run as workerTaskrun, also nested in a Sequential of a ForEach", async () => {
    const x = await t.run(`id: wd-worker-taskrun
namespace: wd.tests
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: ["1"]
    tasks:
      - id: seq
        type: io.kestra.plugin.core.flow.Sequential
        tasks:
          - id: wd
            type: io.kestra.plugin.core.flow.WorkingDirectory
            tasks:
              - id: worker
                type: io.kestra.plugin.core.debug.Return
                format: "{{ workerTaskrun.id }} {{ workerTaskrun.attemptsCount }} {{ workerTaskrun.value ?? 'none' }}"
              - id: parent
                type: io.kestra.plugin.core.debug.Return
                format: "{{ parent }}"
`);
    expect(x.state.current).toBe("SUCCESS");
    expect(x.taskRunList).toHaveLength(5);
    const wd = taskRuns(x, "wd")[0]!;
    // Kestra gives Sequential's children no value: the WorkingDirectory has none here.
    expect(taskRuns(x, "worker")[0]!.outputs?.value).toBe(`${wd.id} 0 none`);
    expect(taskRuns(x, "parent")[0]!.outputs?.value).toBe('{"taskrun":{"value":"1"}}');
  });

  it("has no workerTaskrun outside a WorkingDirectory", async () => {
    const x = await t.run(`id: no-worker-taskrun
namespace: wd.tests
tasks:
  - id: worker
    type: io.kestra.plugin.core.debug.Return
    format: "{{ workerTaskrun }}"
`);
    expect(x.state.current).toBe("FAILED");
  });

  it("removes the shared directory of a killed WorkingDirectory too", async () => {
    const { flow } = await t.instance.deploy(`id: wd-killed
namespace: wd.tests
tasks:
  - id: wd
    type: io.kestra.plugin.core.flow.WorkingDirectory
    inputFiles:
      a.txt: a
    tasks:
      - id: write
        type: io.kestra.plugin.core.storage.LocalFiles
        inputs:
          b.txt: b
      - id: wait
        type: io.kestra.plugin.core.flow.Sleep
        duration: PT30S
`);
    const created = await t.instance.createExecution(flow.namespace, flow.id);
    const running = await eventually(async () => {
      const x = await t.instance.getExecution(created.id);
      return taskRuns(x, "wait")[0]?.state.current === "RUNNING" ? x : undefined;
    });
    const dir = sharedDirectoryPath(t.instance.config.tmpDir, taskRuns(running, "wd")[0]!.id);
    expect(existsSync(dir)).toBe(true);
    await t.instance.kill(created.id);
    expect((await t.instance.waitForEnd(created.id, 10_000)).state.current).toBe("KILLED");
    await eventually(() => (existsSync(dir) ? undefined : true), 5_000, `${dir} to be removed`);
  });
});
