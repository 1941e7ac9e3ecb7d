import { afterAll, beforeAll, expect, it } from "vitest";
import {
  coreRegistry,
  errorMessages,
  eventually,
  openTestInstance,
  outputsOf,
  startS3Server,
  storedText,
  type TestInstance,
  type TestS3Server,
} from "@saker/engine/testing";
import minio from "./index.ts";
import { endpointUrl, minioSettings } from "./minioConnection.ts";

const P = "io.kestra.plugin.minio";
let s3: TestS3Server;
let test: TestInstance;

beforeAll(async () => {
  s3 = await startS3Server(["media"]);
  const registry = coreRegistry();
  registry.addPlugin({ name: "@saker/plugin-minio", version: "1.0.0", core: false }, minio);
  test = await openTestInstance({ registry, scheduler: true });
});
afterAll(async () => {
  await test?.close();
  await s3?.close();
});

const connection = () =>
  `endpoint: ${s3.endpoint}\n      accessKeyId: ${s3.accessKeyId}\n      secretKeyId: ${s3.secretAccessKey}`;

function task(id: string, type: string, props: string): string {
  return `  - id: ${id}\n    type: ${P}.${type}\n    ${connection().replace(/\n {6}/g, "\n    ")}\n${props
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n")}`;
}

function executions(flowId: string) {
  const { instance } = test;
  return instance.executions.search({
    tenantId: instance.config.tenantId,
    namespace: "company.minio",
    flowId,
    size: 100,
    sort: "asc",
  }).results;
}

/** Resolves once the trigger has been evaluated `count` more times. */
async function evaluations(flowId: string, count: number): Promise<void> {
  const { instance } = test;
  const key = { namespace: "company.minio", flowId, triggerId: "watch" };
  let last = instance.triggers.get(instance.config.tenantId, key)?.nextDate;
  for (let seen = 0; seen < count; seen++) {
    const previous = last;
    last = await eventually(() => {
      const next = instance.triggers.get(instance.config.tenantId, key)?.nextDate;
      return next !== previous ? next : undefined;
    }, 10_000);
  }
}

it("offers the same types under io.kestra.plugin.minio", () => {
  expect(minio.tasks!.map((t) => t.type.replace(`${P}.`, "")).sort()).toEqual([
    "Copy",
    "CreateBucket",
    "Delete",
    "DeleteList",
    "Download",
    "Downloads",
    "List",
    "Upload",
  ]);
  expect(minio.triggers!.map((t) => t.type)).toEqual([`${P}.Trigger`]);
});

it("reads endpoint as a URL or a host, with path-style addressing", () => {
  expect(endpointUrl("minio.example.com:9000")).toBe("https://minio.example.com:9000");
  expect(endpointUrl("http://127.0.0.1:9000/")).toBe("http://127.0.0.1:9000");
  expect(minioSettings({ endpoint: "localhost:9000" })).toMatchObject({ region: "us-east-1", forcePathStyle: true });
});

it("round-trips every task type through a flow", async () => {
  const execution = await test.run(`id: minio-trip
namespace: company.minio
tasks:
  - id: write
    type: io.kestra.plugin.core.storage.Write
    content: "hello minio"
    extension: .txt
${task("bucket", "CreateBucket", "bucket: photos")}
${task("upload", "Upload", 'bucket: photos\nkey: a/hello.txt\nfrom: "{{ outputs.write.uri }}"')}
${task("list", "List", "bucket: photos\nrecursive: false\nprefix: a/")}
${task("download", "Download", "bucket: photos\nkey: a/hello.txt")}
${task("copy", "Copy", "from:\n  bucket: photos\n  key: a/hello.txt\nto:\n  bucket: media\n  key: b/hello.txt")}
${task("downloads", "Downloads", "bucket: media\nprefix: b/\naction: DELETE")}
${task("delete", "Delete", "bucket: photos\nkey: a/hello.txt")}
${task("purge", "DeleteList", "bucket: photos\nerrorOnEmpty: false")}
`);
  expect(errorMessages(test, execution, "upload")).toEqual([]);
  expect(execution.state.current).toBe("SUCCESS");
  expect(outputsOf(execution, "bucket")).toMatchObject({ bucket: "photos" });
  expect((outputsOf(execution, "list").objects as Array<{ key: string }>).map((o) => o.key)).toEqual(["a/hello.txt"]);
  expect(await storedText(test, outputsOf(execution, "download").uri as string)).toBe("hello minio");
  expect(outputsOf(execution, "copy")).toMatchObject({ bucket: "media", key: "b/hello.txt" });
  expect(Object.keys(outputsOf(execution, "downloads").outputFiles as object)).toEqual(["b/hello.txt"]);
  expect(outputsOf(execution, "delete")).toMatchObject({ bucket: "photos", key: "a/hello.txt" });
  expect(outputsOf(execution, "purge")).toEqual({ count: 0, size: 0 });
});

it("starts one execution per new file with the Trigger, then moves it", async () => {
  await test.run(`id: minio-seed
namespace: company.minio
tasks:
  - id: write
    type: io.kestra.plugin.core.storage.Write
    content: "new file"
${task("upload", "Upload", 'bucket: media\nkey: inbox/new.txt\nfrom: "{{ outputs.write.uri }}"')}
`);
  await test.instance.deploy(`id: minio-watch
namespace: company.minio
tasks:
  - id: seen
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.objects[0].key }}"
triggers:
  - id: watch
    type: ${P}.Trigger
    interval: PT1S
    ${connection().replace(/\n {6}/g, "\n    ")}
    bucket: media
    prefix: inbox/
    action: MOVE
    moveTo:
      bucket: media
      key: done
`);
  const first = await eventually(() => executions("minio-watch").find((e) => e.state.current === "SUCCESS"), 15_000);
  expect(outputsOf(first, "seen").value).toBe("inbox/new.txt");
  await evaluations("minio-watch", 2);
  const check = await test.run(`id: minio-check
namespace: company.minio
tasks:
${task("inbox", "List", "bucket: media\nprefix: inbox/")}
${task("done", "List", "bucket: media\nprefix: done/")}
`);
  expect(outputsOf(check, "inbox").objects).toEqual([]);
  expect((outputsOf(check, "done").objects as Array<{ key: string }>).map((o) => o.key)).toEqual(["done/new.txt"]);
  expect(executions("minio-watch")).toHaveLength(1);
});

it("fails with a clear error when the endpoint is not reachable", async () => {
  const execution = await test.run(`id: minio-down
namespace: company.minio
tasks:
  - id: list
    type: ${P}.List
    endpoint: http://127.0.0.1:1
    accessKeyId: a
    secretKeyId: hunter2-minio
    bucket: media
`);
  expect(execution.state.current).toBe("FAILED");
  const errors = errorMessages(test, execution, "list").join("\n");
  expect(errors).toContain("ListObjectsV2 of bucket 'media' failed: cannot reach http://127.0.0.1:1 (ECONNREFUSED)");
  expect(errors).not.toContain("hunter2-minio");
});
