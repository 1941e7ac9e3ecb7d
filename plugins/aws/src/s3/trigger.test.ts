import { afterAll, beforeAll, expect, it } from "vitest";
import { ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import type { TestInstance, TestS3Server } from "@saker/engine/testing";
import {
  awsConnection,
  directClient,
  eventually,
  indented,
  objectText,
  putObject,
  s3Instance,
  startS3Server,
  storedText,
} from "../../test/support.ts";

const P = "io.kestra.plugin.aws.s3";
let s3: TestS3Server;
let test: TestInstance;
let client: S3Client;

beforeAll(async () => {
  s3 = await startS3Server(["inbox", "archive"]);
  test = await s3Instance(undefined, { scheduler: true });
  client = directClient(s3);
});
afterAll(async () => {
  client?.destroy();
  await test?.close();
  await s3?.close();
});

function watchFlow(id: string, props: string): string {
  return `id: ${id}
namespace: company.s3
tasks:
  - id: seen
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.objects | length }}"
triggers:
  - id: watch
    type: ${P}.Trigger
    interval: PT1S
${indented(`${awsConnection(s3)}\nbucket: inbox\n${props}`, 4)}
`;
}

function executions(flowId: string) {
  const { instance } = test;
  return instance.executions.search({
    tenantId: instance.config.tenantId,
    namespace: "company.s3",
    flowId,
    size: 100,
    sort: "asc",
  }).results;
}

/** Resolves once the trigger has been evaluated `count` more times. */
async function evaluations(flowId: string, count: number): Promise<void> {
  const { instance } = test;
  const state = () =>
    instance.triggers.get(instance.config.tenantId, { namespace: "company.s3", flowId, triggerId: "watch" });
  let last = state()?.nextDate;
  for (let seen = 0; seen < count; seen++) {
    last = await eventually(
      () => {
        const next = state()?.nextDate;
        return next !== last ? next : undefined;
      },
      10_000,
      "the next evaluation",
    );
  }
}

async function keys(prefix: string, bucket = "inbox"): Promise<string[]> {
  const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (listed.Contents ?? []).map((o) => o.Key!);
}

it("starts one execution for new files and moves them (moveTo without a bucket: the same one), so the next evaluations start none", async () => {
  await putObject(client, "inbox", "move/a.csv", "a");
  await putObject(client, "inbox", "move/b.csv", "bb");
  await test.instance.deploy(watchFlow("mover", "prefix: move/\naction: MOVE\nmoveTo:\n  key: done"));
  const first = await eventually(() => executions("mover").find((e) => e.state.current === "SUCCESS"), 15_000);
  const objects = first.trigger?.variables?.objects as Array<{ key: string; uri: string; size: number }>;
  expect(objects.map((o) => [o.key, o.size])).toEqual([
    ["move/a.csv", 1],
    ["move/b.csv", 2],
  ]);
  expect(await storedText(test, objects[1]!.uri)).toBe("bb");
  await evaluations("mover", 2);
  expect(executions("mover")).toHaveLength(1);
  expect(await keys("move/")).toEqual([]);
  expect(await keys("done/")).toEqual(["done/a.csv", "done/b.csv"]);
});

it("moves what it processed into moveTo.bucket, another bucket, under moveTo.key", async () => {
  await putObject(client, "inbox", "out/a.csv", "first");
  await putObject(client, "inbox", "out/sub/b.csv", "second");
  await test.instance.deploy(
    watchFlow("exporter", "prefix: out/\naction: MOVE\nmoveTo:\n  bucket: archive\n  key: processed/"),
  );
  const first = await eventually(() => executions("exporter").find((e) => e.state.current === "SUCCESS"), 15_000);
  const objects = first.trigger?.variables?.objects as Array<{ key: string; uri: string }>;
  expect(objects.map((o) => o.key)).toEqual(["out/a.csv", "out/sub/b.csv"]);
  expect(await storedText(test, objects[1]!.uri)).toBe("second");
  await evaluations("exporter", 2);
  expect(executions("exporter")).toHaveLength(1);
  expect(await keys("out/")).toEqual([]);
  expect(await keys("processed/")).toEqual([]);
  expect(await keys("", "archive")).toEqual(["processed/a.csv", "processed/b.csv"]);
  expect(await objectText(client, "archive", "processed/a.csv")).toBe("first");
  expect(await objectText(client, "archive", "processed/b.csv")).toBe("second");
});

it("a MOVE to a bucket that does not exist logs an error naming it, leaves the object in place and still starts the execution", async () => {
  await putObject(client, "inbox", "lost/x.csv", "kept");
  await test.instance.deploy(
    watchFlow("misrouted", "prefix: lost/\naction: MOVE\nmoveTo:\n  bucket: nowhere\n  key: done"),
  );
  const first = await eventually(() => executions("misrouted")[0], 15_000);
  const objects = first.trigger?.variables?.objects as Array<{ key: string; uri: string }>;
  expect(objects.map((o) => o.key)).toEqual(["lost/x.csv"]);
  expect(await keys("lost/")).toEqual(["lost/x.csv"]);
  expect(await objectText(client, "inbox", "lost/x.csv")).toBe("kept");
  const logs = await eventually(() => {
    const found = test.instance.logs
      .find({ flowId: "misrouted" })
      .map((l) => l.message)
      .filter((m) => m.includes("lost/x.csv"));
    return found.length > 0 ? found : undefined;
  }, 5_000);
  expect(logs.join("\n")).toContain("bucket 'nowhere' does not exist");
});

it("deletes what it processed with DELETE; with NONE, starts again only for a changed file", async () => {
  await putObject(client, "inbox", "del/x.json", "{}");
  await putObject(client, "inbox", "keep/y.json", "{}");
  await test.instance.deploy(watchFlow("deleter", "prefix: del/\naction: DELETE"));
  await test.instance.deploy(watchFlow("keeper", "prefix: keep/\naction: NONE"));
  await eventually(() => executions("deleter")[0], 15_000);
  await evaluations("deleter", 2);
  expect(executions("deleter")).toHaveLength(1);
  expect(await keys("del/")).toEqual([]);
  // NONE: nothing is moved; the trigger remembers the version it saw, so the file starts another
  // execution only once it changes (Kestra 1.x's `on: CREATE_OR_UPDATE`).
  await eventually(() => executions("keeper")[0], 15_000);
  await evaluations("keeper", 2);
  expect(executions("keeper")).toHaveLength(1);
  expect(await keys("keep/")).toEqual(["keep/y.json"]);
  await putObject(client, "inbox", "keep/y.json", '{"changed":true}');
  const second = await eventually(() => executions("keeper")[1], 15_000);
  const objects = second.trigger?.variables?.objects as Array<{ key: string; changeType: string; uri: string }>;
  expect(objects.map((o) => [o.key, o.changeType])).toEqual([["keep/y.json", "UPDATE"]]);
  expect(await storedText(test, objects[0]!.uri)).toBe('{"changed":true}');
});

it("with on: CREATE, starts no execution for a changed object it has seen", async () => {
  await putObject(client, "inbox", "new/z.txt", "1");
  await test.instance.deploy(watchFlow("creates", "prefix: new/\naction: NONE\non: CREATE"));
  await eventually(() => executions("creates")[0], 15_000);
  await putObject(client, "inbox", "new/z.txt", "22");
  await putObject(client, "inbox", "new/w.txt", "3");
  const second = await eventually(() => executions("creates")[1], 15_000);
  const objects = second.trigger?.variables?.objects as Array<{ key: string; changeType: string }>;
  expect(objects.map((o) => [o.key, o.changeType])).toEqual([["new/w.txt", "CREATE"]]);
  await evaluations("creates", 2);
  expect(executions("creates")).toHaveLength(2);
});
