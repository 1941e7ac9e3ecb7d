import { afterAll, beforeAll, expect, it } from "vitest";
import { ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import type { TestInstance, TestS3Server } from "@saker/engine/testing";
import {
  awsConnection,
  directClient,
  errorMessages,
  flow,
  objectText,
  outputsOf,
  putObject,
  s3Instance,
  startS3Server,
  storedText,
} from "../../test/support.ts";

const P = "io.kestra.plugin.aws.s3";
let s3: TestS3Server;
let test: TestInstance;
let client: S3Client;
const warnings: string[] = [];
const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);

beforeAll(async () => {
  process.on("warning", onWarning);
  s3 = await startS3Server(["data", "archive"]);
  test = await s3Instance();
});
afterAll(async () => {
  process.off("warning", onWarning);
  client?.destroy();
  await test?.close();
  await s3?.close();
});

it("uploads, lists, downloads, copies and deletes through a flow", async () => {
  const c = awsConnection(s3);
  const execution = await test.run(
    flow("round-trip", [
      ["write", "io.kestra.plugin.core.storage.Write", 'content: "id,name\\n1,Ada\\n"\nextension: .csv'],
      [
        "upload",
        `${P}.Upload`,
        `${c}\nbucket: data\nfrom: "{{ outputs.write.uri }}"\nkey: in/people.csv\ncontentType: text/csv\nmetadata:\n  origin: test`,
      ],
      ["list", `${P}.List`, `${c}\nbucket: data\nprefix: in/\nregexp: ".*\\\\.csv"`],
      ["download", `${P}.Download`, `${c}\nbucket: data\nkey: in/people.csv`],
      ["copy", `${P}.Copy`, `${c}\nfrom:\n  bucket: data\n  key: in/people.csv\nto:\n  key: copies/people.csv`],
      ["delete", `${P}.Delete`, `${c}\nbucket: data\nkey: in/people.csv`],
      ["after", `${P}.List`, `${c}\nbucket: data\nfilter: FILES`],
    ]),
  );
  client = directClient(s3);
  expect(errorMessages(test, execution, "upload")).toEqual([]);
  expect(execution.state.current).toBe("SUCCESS");
  expect(outputsOf(execution, "upload")).toMatchObject({
    bucket: "data",
    key: "in/people.csv",
    eTag: expect.any(String),
  });
  const listed = outputsOf(execution, "list").objects as Array<Record<string, unknown>>;
  expect(listed).toEqual([
    expect.objectContaining({ key: "in/people.csv", size: 14, lastModified: expect.any(String) }),
  ]);
  const download = outputsOf(execution, "download");
  expect(download).toMatchObject({ contentLength: 14, contentType: "text/csv", metadata: { origin: "test" } });
  expect(await storedText(test, download.uri as string)).toBe("id,name\n1,Ada\n");
  expect(outputsOf(execution, "copy")).toMatchObject({ bucket: "data", key: "copies/people.csv" });
  expect(await objectText(client, "data", "copies/people.csv")).toBe("id,name\n1,Ada\n");
  expect((outputsOf(execution, "after").objects as Array<{ key: string }>).map((o) => o.key)).toEqual([
    "copies/people.csv",
  ]);
  // The plugin created the process's first S3 client: the SDK's Node version warning stayed silent.
  expect(warnings.filter((w) => w.includes("NodeVersionSupportWarning"))).toEqual([]);
});

it("downloads several files then moves them, deletes a list and creates a bucket", async () => {
  for (const name of ["a.csv", "b.csv", "c.txt"])
    await putObject(client, "data", `batch/${name}`, `content of ${name}`);
  const c = awsConnection(s3);
  const execution = await test.run(
    flow("many", [
      [
        "downloads",
        `${P}.Downloads`,
        `${c}\nbucket: data\nprefix: batch/\nregexp: ".*\\\\.csv"\naction: MOVE\nmoveTo:\n  bucket: data\n  key: archive/`,
      ],
      ["bucket", `${P}.CreateBucket`, `${c}\nbucket: fresh`],
      [
        "upload",
        `${P}.Upload`,
        `${c}\nbucket: fresh\nkey: two\nfrom:\n  x.txt: "{{ outputs.downloads.outputFiles['batch/a.csv'] }}"\n  y.txt: "{{ outputs.downloads.outputFiles['batch/b.csv'] }}"`,
      ],
      ["purge", `${P}.DeleteList`, `${c}\nbucket: fresh\nprefix: two/\nconcurrent: 2`],
      ["left", `${P}.List`, `${c}\nbucket: data\nprefix: batch/`],
      ["several", `${P}.Download`, `${c}\nbucket: data\nprefix: archive/\nmaxFiles: 1`],
    ]),
  );
  expect(errorMessages(test, execution, "downloads")).toEqual([]);
  expect(execution.state.current).toBe("SUCCESS");
  const downloads = outputsOf(execution, "downloads");
  expect(Object.keys(downloads.outputFiles as object).sort()).toEqual(["batch/a.csv", "batch/b.csv"]);
  expect(await storedText(test, (downloads.outputFiles as Record<string, string>)["batch/b.csv"]!)).toBe(
    "content of b.csv",
  );
  expect(await objectText(client, "data", "archive/a.csv")).toBe("content of a.csv");
  expect((outputsOf(execution, "left").objects as Array<{ key: string }>).map((o) => o.key)).toEqual(["batch/c.txt"]);
  expect(outputsOf(execution, "bucket")).toMatchObject({ bucket: "fresh" });
  const several = outputsOf(execution, "several").files as Record<string, { uri: string; contentLength: number }>;
  expect(Object.keys(several)).toEqual(["archive/a.csv"]);
  expect(await storedText(test, several["archive/a.csv"]!.uri)).toBe("content of a.csv");
  expect(Object.keys(outputsOf(execution, "upload").files as object).sort()).toEqual(["x.txt", "y.txt"]);
  expect(outputsOf(execution, "purge")).toEqual({ count: 2, size: 32 });
});

async function keys(bucket: string, prefix: string): Promise<string[]> {
  const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (listed.Contents ?? []).map((o) => o.Key!).sort();
}

it("Downloads with MOVE and moveTo.bucket moves the objects into that other bucket, under moveTo.key", async () => {
  client ??= directClient(s3);
  for (const [key, body] of [
    ["cross/a.csv", "alpha"],
    ["cross/deep/b.csv", "bravo"],
    ["cross/c.txt", "charlie"],
  ] as const)
    await putObject(client, "data", key, body);
  const c = awsConnection(s3);
  const execution = await test.run(
    flow("cross-bucket", [
      [
        "downloads",
        `${P}.Downloads`,
        `${c}\nbucket: data\nprefix: cross/\nregexp: ".*\\\\.csv"\naction: MOVE\nmoveTo:\n  bucket: archive\n  key: moved/`,
      ],
    ]),
  );
  expect(errorMessages(test, execution, "downloads")).toEqual([]);
  expect(execution.state.current).toBe("SUCCESS");
  const files = outputsOf(execution, "downloads").outputFiles as Record<string, string>;
  expect(Object.keys(files).sort()).toEqual(["cross/a.csv", "cross/deep/b.csv"]);
  expect(await storedText(test, files["cross/deep/b.csv"]!)).toBe("bravo");
  // Gone from the bucket listed (the file the regexp left out stays), nothing written there under moveTo.key.
  expect(await keys("data", "cross/")).toEqual(["cross/c.txt"]);
  expect(await keys("data", "moved/")).toEqual([]);
  // In the other bucket, under moveTo.key with each object's file name, with the same content.
  expect(await keys("archive", "")).toEqual(["moved/a.csv", "moved/b.csv"]);
  expect(await objectText(client, "archive", "moved/a.csv")).toBe("alpha");
  expect(await objectText(client, "archive", "moved/b.csv")).toBe("bravo");
});
