import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startS3Server, type TestS3Server } from "../testing/s3Server.ts";
import { openTestInstance, outputsOf, type TestInstance } from "../testing/testInstance.ts";

let s3: TestS3Server;
let t: TestInstance;
beforeAll(async () => {
  s3 = await startS3Server(["flows"]);
  t = await openTestInstance({
    overrides: { storage: s3Config({ bucket: "flows", prefix: "saker" }) },
    env: { SECRET_S3_SECRET: Buffer.from(s3.secretAccessKey).toString("base64") },
  });
});
afterAll(async () => {
  await t?.close();
  await s3.close();
});

function s3Config(extra: Record<string, unknown>): Record<string, unknown> {
  return {
    type: "s3",
    endpoint: s3.endpoint,
    region: s3.region,
    accessKey: s3.accessKeyId,
    secretKey: "{{ secret('S3_SECRET') }}",
    ...extra,
  };
}

it("runs a flow whose tasks pass a file through the bucket", async () => {
  const x = await t.run(`id: through_s3
namespace: company.team
tasks:
  - id: x
    type: io.kestra.plugin.core.storage.Write
    content: "hello from the bucket"
    extension: .txt
  - id: size
    type: io.kestra.plugin.core.storage.Size
    uri: "{{ outputs.x.uri }}"
  - id: y
    type: io.kestra.plugin.core.debug.Return
    format: "{{ read(outputs.x.uri) }}"
`);
  expect(x.state.current).toBe("SUCCESS");
  expect(outputsOf(x, "y").value).toBe("hello from the bucket");
  expect(outputsOf(x, "size").size).toBe(21);
  const uri = String(outputsOf(x, "x").uri);
  expect(uri).toMatch(new RegExp(`^kestra:///company/team/through_s3/executions/${x.id}/tasks/x/`));
  const client = new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
  const listed = await client.send(new ListObjectsV2Command({ Bucket: "flows", Prefix: "saker/company/team/" }));
  client.destroy();
  expect(listed.Contents?.map((o) => `kestra:///${o.Key!.slice("saker/".length)}`)).toContain(uri);
});

it("does not start on a missing bucket, and frees the data folder", async () => {
  const home = mkdtempSync(join(tmpdir(), "saker-s3home-"));
  try {
    await expect(
      openTestInstance({ home, overrides: { storage: s3Config({ bucket: "missing-bucket", secretKey: "x" }) } }),
    ).rejects.toThrow(
      expect.objectContaining({
        code: "STORAGE_BUCKET_NOT_FOUND",
        message: expect.stringContaining("'missing-bucket'"),
      }),
    );
    const again = await openTestInstance({
      home,
      overrides: { storage: s3Config({ bucket: "flows", secretKey: "x" }) },
    });
    await again.close();
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
