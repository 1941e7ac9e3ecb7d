import { afterAll, beforeAll, expect, it } from "vitest";
import { ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import type { TestInstance, TestS3Server } from "@saker/engine/testing";
import {
  awsConnection,
  directClient,
  eventually,
  indented,
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
  s3 = await startS3Server(["inbox"]);
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

async function keys(prefix: string): Promise<string[]> {
  const listed = await client.send(new ListObjectsV2Command({ Bucket: "inbox", Prefix: prefix }));
  return (listed.Contents ?? []).map((o) => o.Key!);
}

it("starts one execution for new files and moves them, so the next evaluations start none", async () => {
  await putObject(client, "inbox", "move/a.csv", "a");
  await putObject(client, "inbox", "move/b.csv", "bb");
  await test.instance.deploy(watchFlow("mover", "prefix: move/\naction: MOVE\nmoveTo:\n  bucket: inbox\n  key: done"));
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

it("deletes what it processed with DELETE, and sees files again with NONE", async () => {
  await putObject(client, "inbox", "del/x.json", "{}");
  await putObject(client, "inbox", "keep/y.json", "{}");
  await test.instance.deploy(watchFlow("deleter", "prefix: del/\naction: DELETE"));
  await test.instance.deploy(watchFlow("keeper", "prefix: keep/\naction: NONE"));
  await eventually(() => executions("deleter")[0], 15_000);
  await evaluations("deleter", 2);
  expect(executions("deleter")).toHaveLength(1);
  expect(await keys("del/")).toEqual([]);
  // NONE: nothing is moved, so every evaluation starts another execution for the same file.
  await eventually(() => (executions("keeper").length >= 2 ? true : undefined), 15_000);
  expect(await keys("keep/")).toEqual(["keep/y.json"]);
});
