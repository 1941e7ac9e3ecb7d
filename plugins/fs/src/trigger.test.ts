/**
 * The polling trigger, for SFTP and FTP, through a real engine instance whose scheduler runs:
 * each file starts exactly one execution (MOVE and DELETE), and with NONE a file fires again
 * only once it changed.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { eventually, ftpServer, sftpServer, storedText } from "../test/support.ts";
import { fsFixture } from "../test/fixture.ts";

const { test, servers, put } = fsFixture({ sftp: () => sftpServer(), ftp: () => ftpServer() }, { scheduler: true });

interface TriggeredFile {
  path: string;
  name: string;
  changeType: string;
}

function executionsOf(flowId: string) {
  return test.instance.executions.search({
    tenantId: test.instance.config.tenantId,
    namespace: "company.fs",
    flowId,
    size: 100,
    sort: "asc",
  }).results;
}

const filesOf = (execution: { trigger?: { variables?: Record<string, unknown> } }) =>
  (execution.trigger?.variables?.files ?? []) as TriggeredFile[];

function triggerFlow(id: string, type: string, props: string): string {
  const indented = props
    .trim()
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n");
  return `id: ${id}
namespace: company.fs
tasks:
  - id: count
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.files | length }}"
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: "{{ trigger.files | jq('.[].path') }}"
    tasks:
      - id: content
        type: io.kestra.plugin.core.debug.Return
        format: "{{ read(taskrun.value) }}"
triggers:
  - id: watch
    type: ${type}
    interval: PT1S
${indented}
`;
}

/** Waits until the flow has `count` executions and returns them. */
const executions = (flowId: string, count: number) =>
  eventually(
    () => {
      const list = executionsOf(flowId);
      return list.length >= count ? list : undefined;
    },
    15_000,
    `${count} execution(s) of ${flowId}`,
  );

describe.each(["sftp", "ftp"] as const)("%s Trigger", (protocol) => {
  const server = () => servers[protocol]!;
  const type = `io.kestra.plugin.fs.${protocol}.Trigger`;

  it("MOVE: starts one execution for the files there are, moves them, and one more for a file that comes later", async () => {
    const dir = `/${protocol}-tmove`;
    put(server(), `${dir}/in/a.csv`, "a");
    put(server(), `${dir}/in/b.csv`, "bb");
    put(server(), `${dir}/in/skip.txt`, "not matched");
    const flowId = `${protocol}-trigger-move`;
    await test.instance.deploy(
      triggerFlow(
        flowId,
        type,
        `${server().connection()}\nfrom: "${dir}/in/"\nregExp: ".*\\\\.csv"\naction: MOVE\nmoveDirectory: "${dir}/archive"`,
      ),
    );
    const [first] = await executions(flowId, 1);
    const files = filesOf(first!);
    expect(files.map((f) => f.name).sort()).toEqual(["a.csv", "b.csv"]);
    expect(files.every((f) => f.changeType === "CREATE" && f.path.startsWith("kestra://"))).toBe(true);
    expect(await storedText(test, files.find((f) => f.name === "b.csv")!.path)).toBe("bb");
    expect(existsSync(join(server().root, dir, "in/a.csv"))).toBe(false);
    expect(readFileSync(join(server().root, dir, "archive/a.csv"), "utf8")).toBe("a");
    expect(existsSync(join(server().root, dir, "in/skip.txt"))).toBe(true);

    put(server(), `${dir}/in/c.csv`, "ccc");
    const list = await executions(flowId, 2);
    expect(list).toHaveLength(2);
    expect(filesOf(list[1]!).map((f) => f.name)).toEqual(["c.csv"]);
    const ended = await test.instance.waitForEnd(list[1]!.id, 10_000);
    expect(ended.state.current).toBe("SUCCESS");
    expect(ended.taskRunList[0]?.outputs?.value).toBe("1");
    expect(ended.taskRunList.find((t) => t.taskId === "content")?.outputs?.value).toBe("ccc");
  });

  it("DELETE: deletes each file once it started its execution", async () => {
    const dir = `/${protocol}-tdel`;
    put(server(), `${dir}/in/x.json`, "{}");
    const flowId = `${protocol}-trigger-delete`;
    await test.instance.deploy(
      triggerFlow(flowId, type, `${server().connection()}\nfrom: "${dir}/in"\naction: DELETE`),
    );
    const [first] = await executions(flowId, 1);
    expect(filesOf(first!).map((f) => f.name)).toEqual(["x.json"]);
    expect(existsSync(join(server().root, dir, "in/x.json"))).toBe(false);
    put(server(), `${dir}/in/y.json`, "[]");
    const list = await executions(flowId, 2);
    expect(list).toHaveLength(2);
    expect(filesOf(list[1]!).map((f) => f.name)).toEqual(["y.json"]);
  });

  it("NONE: leaves the file, fires once, and again as UPDATE only once it changed", async () => {
    const dir = `/${protocol}-tnone`;
    put(server(), `${dir}/in/state.txt`, "v1");
    const flowId = `${protocol}-trigger-none`;
    await test.instance.deploy(triggerFlow(flowId, type, `${server().connection()}\nfrom: "${dir}/in"\naction: NONE`));
    const [first] = await executions(flowId, 1);
    expect(filesOf(first!).map((f) => [f.name, f.changeType])).toEqual([["state.txt", "CREATE"]]);
    expect(existsSync(join(server().root, dir, "in/state.txt"))).toBe(true);
    put(server(), `${dir}/in/state.txt`, "version 2");
    const list = await executions(flowId, 2);
    expect(list).toHaveLength(2);
    expect(filesOf(list[1]!).map((f) => [f.name, f.changeType])).toEqual([["state.txt", "UPDATE"]]);
  });
});

it("logs a poll that cannot log in, starts nothing, and keeps the password out of the logs", async () => {
  const server = servers.sftp!;
  const flowId = "sftp-trigger-badpass";
  await test.instance.deploy(
    triggerFlow(
      flowId,
      "io.kestra.plugin.fs.sftp.Trigger",
      `${server.connection({ password: "wrong-Trigger-Pass" })}\nfrom: /in\naction: DELETE`,
    ),
  );
  const logged = await eventually(
    () => {
      const lines = test.instance.logs.find({ namespace: "company.fs", flowId, minLevel: "ERROR" });
      return lines.length ? lines : undefined;
    },
    15_000,
    "the failed poll's log",
  );
  expect(logged[0]!.message).toMatch(/refused the login/);
  expect(JSON.stringify(test.instance.logs.find({ namespace: "company.fs", flowId }))).not.toContain(
    "wrong-Trigger-Pass",
  );
  expect(executionsOf(flowId)).toHaveLength(0);
});
