import { createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { TestInstance, TestS3Server } from "@saker/engine/testing";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
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
} from "../../test/support.ts";

const P = "io.kestra.plugin.aws.s3";
const SECRET = "hunter2-very-secret";
let s3: TestS3Server;
let test: TestInstance;
let silent: Server;
const sockets: Socket[] = [];

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

beforeAll(async () => {
  s3 = await startS3Server(["data"]);
  test = await s3Instance();
  // Accepts connections and never answers.
  silent = createServer((socket) => void sockets.push(socket));
  await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((r) => silent?.close(r));
  await test?.close();
  await s3?.close();
});

/** Runs one task of `type` with `props`; returns the execution and every log line of it. */
async function runOne(type: string, props: string, extra = "") {
  const execution = await test.run(
    flow(`bad-${Math.random().toString(36).slice(2, 8)}`, [["t", `${P}.${type}`, `${props}${extra}`]]),
  );
  const logs = test.instance.logs.find({ executionId: execution.id }).map((l) => l.message);
  return { execution, logs, errors: errorMessages(test, execution, "t").join("\n") };
}

async function failure(type: string, props: string, extra = ""): Promise<string> {
  const { execution, errors, logs } = await runOne(type, props, extra);
  expect(execution.state.current).toBe("FAILED");
  expect(logs.join("\n")).not.toContain(SECRET);
  expect(errors).not.toMatch(/\n\s+at /);
  return errors;
}

it("names the bucket or key that does not exist", async () => {
  const c = awsConnection(s3, SECRET);
  expect(await failure("Download", `${c}\nbucket: data\nkey: missing/file.csv`)).toContain(
    "no object has key 'missing/file.csv' in bucket 'data'",
  );
  expect(await failure("List", `${c}\nbucket: nowhere`)).toContain("bucket 'nowhere' does not exist");
  expect(await failure("Upload", `${c}\nbucket: data\nkey: k\nfrom: kestra:///company/s3/nothing.txt`)).toMatch(
    /nothing\.txt/,
  );
  const upload = await test.run(
    flow("upload-nowhere", [
      ["w", "io.kestra.plugin.core.storage.Write", "content: x"],
      ["t", `${P}.Upload`, `${c}\nbucket: nowhere\nkey: a/b.txt\nfrom: "{{ outputs.w.uri }}"`],
    ]),
  );
  expect(errorMessages(test, upload, "t").join("\n")).toContain(
    "Upload of 's3://nowhere/a/b.txt' failed: bucket 'nowhere' does not exist",
  );
});

it("refuses an unknown access key, and never shows the secret key", async () => {
  const wrong = awsConnection(s3, SECRET).replace(`accessKeyId: ${s3.accessKeyId}`, "accessKeyId: NOBODY");
  expect(await failure("List", `${wrong}\nbucket: data`)).toMatch(
    /ListObjectsV2 of bucket 'data' was refused \(InvalidAccessKeyId\): .*does not exist in our records; check accessKeyId/,
  );
  // s3rver checks the key id but not version-4 signatures, so any secret works with the right key id.
  const { execution, logs } = await runOne("List", `${awsConnection(s3, SECRET)}\nbucket: data`, "\nlogLevel: TRACE");
  expect(execution.state.current).toBe("SUCCESS");
  expect(JSON.stringify(outputsOf(execution, "t"))).not.toContain(SECRET);
  expect(logs.join("\n")).not.toContain(SECRET);
});

it("fails quickly on an endpoint nobody listens on", async () => {
  const port = await freePort();
  const c = awsConnection({ ...s3, endpoint: `http://127.0.0.1:${port}` }, SECRET);
  expect(await failure("List", `${c}\nbucket: data`)).toMatch(
    new RegExp(`ListObjectsV2 of bucket 'data' failed: cannot reach http://127.0.0.1:${port} \\(ECONNREFUSED\\)`),
  );
});

it("stops at the task's timeout on an endpoint that never answers", async () => {
  const { port } = silent.address() as AddressInfo;
  const c = awsConnection({ ...s3, endpoint: `http://127.0.0.1:${port}` }, SECRET);
  const errors = await failure("Download", `${c}\nbucket: data\nkey: k`, "\ntimeout: PT1S");
  expect(errors).toMatch(/timed? ?out|timeout/i);
});

it("refuses bad properties before any request", async () => {
  const c = awsConnection(s3, SECRET);
  expect(await failure("List", `${c}\nbucket: data\nregexp: "(unclosed"`)).toContain(
    "regexp '(unclosed' is not a valid regular expression: missing closing ): `(unclosed`",
  );
  expect(await failure("List", `${c}\nbucket: data\nregexp: "x(?=y)"`)).toContain(
    "regexp 'x(?=y)' is not a valid regular expression: uses syntax the linear-time regex engine (RE2) does not support",
  );
  expect(await failure("Downloads", `${c}\nbucket: data\naction: MOVE`)).toContain("action MOVE needs moveTo");
  expect(await failure("List", `${c.replace(/secretKeyId: .*/, "")}\nbucket: data`)).toContain(
    "accessKeyId and secretKeyId must be given together",
  );
  expect(await failure("List", `endpointOverride: http://169.254.169.254\nbucket: data`)).toMatch(/refused/);
  expect(await failure("Download", `${c}\nbucket: data`)).toContain("give key");
  expect(await failure("Upload", `${c}\nbucket: data\nkey: k\nfrom: []`)).toContain("No files to upload");
});

it("a MOVE to a bucket that does not exist fails naming that bucket, and leaves the objects where they were", async () => {
  const client = directClient(s3);
  try {
    await putObject(client, "data", "stay/a.csv", "a");
    await putObject(client, "data", "stay/b.csv", "b");
    const c = awsConnection(s3, SECRET);
    const errors = await failure(
      "Downloads",
      `${c}\nbucket: data\nprefix: stay/\naction: MOVE\nmoveTo:\n  bucket: nowhere\n  key: archive`,
    );
    expect(errors).toContain("CopyObject of 's3://data/stay/a.csv' to 's3://nowhere/archive/a.csv' failed");
    expect(errors).toContain("bucket 'nowhere' does not exist");
    expect(errors).not.toContain("bucket 'data' does not exist");
    const listed = await client.send(new ListObjectsV2Command({ Bucket: "data", Prefix: "stay/" }));
    expect((listed.Contents ?? []).map((o) => o.Key)).toEqual(["stay/a.csv", "stay/b.csv"]);
    expect(await objectText(client, "data", "stay/a.csv")).toBe("a");
  } finally {
    client.destroy();
  }
});
