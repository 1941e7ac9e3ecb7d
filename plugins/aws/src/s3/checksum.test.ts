import { createHash } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { TestInstance, TestS3Server } from "@saker/engine/testing";
import {
  awsConnection,
  directClient,
  errorMessages,
  flow,
  objectText,
  s3Instance,
  startS3Server,
} from "../../test/support.ts";
import { checksumOf } from "./checksums.ts";

const P = "io.kestra.plugin.aws.s3";
let s3: TestS3Server;
let test: TestInstance;
let client: S3Client;

beforeAll(async () => {
  s3 = await startS3Server(["data"]);
  test = await s3Instance();
  client = directClient(s3);
});
afterAll(async () => {
  client?.destroy();
  await test?.close();
  await s3?.close();
});

async function* chunks(...parts: string[]): AsyncIterable<Uint8Array> {
  for (const part of parts) yield Buffer.from(part);
}

it("computes checksums as S3 has them (Base64; CRC32 and CRC32C as 4 big-endian bytes), over any chunking", async () => {
  // The check values of the two CRCs for "123456789": 0xCBF43926 and 0xE3069283.
  expect(await checksumOf(chunks("1234", "56789"), "CRC32")).toBe(Buffer.from("cbf43926", "hex").toString("base64"));
  expect(await checksumOf(chunks("12", "3456", "789"), "CRC32C")).toBe(
    Buffer.from("e3069283", "hex").toString("base64"),
  );
  expect(await checksumOf(chunks("abc"), "SHA1")).toBe(createHash("sha1").update("abc").digest("base64"));
  expect(await checksumOf(chunks("a", "bc"), "SHA256")).toBe(createHash("sha256").update("abc").digest("base64"));
});

function uploadFlow(id: string, key: string, extra: string): string {
  return flow(id, [
    ["write", "io.kestra.plugin.core.storage.Write", 'content: "123456789"\nextension: .txt'],
    [
      "upload",
      `${P}.Upload`,
      `${awsConnection(s3)}\nbucket: data\nfrom: "{{ outputs.write.uri }}"\nkey: ${key}\n${extra}`,
    ],
  ]);
}

/** The checksum headers of the PUT that stored `key`. */
function sentChecksums(key: string): Record<string, unknown> {
  const put = s3.requests.filter((r) => r.method === "PUT" && r.path === `/data/${key}`).pop();
  expect(put).toBeDefined();
  return Object.fromEntries(Object.entries(put!.headers).filter(([name]) => name.includes("checksum")));
}

it("checksumAlgorithm with the file's checksum sends it, so S3 checks the bytes it receives", async () => {
  const sha256 = createHash("sha256").update("123456789").digest("base64");
  const run = await test.run(uploadFlow("sha", "sum/sha.txt", `checksumAlgorithm: SHA256\nchecksum: "${sha256}"`));
  expect(errorMessages(test, run, "upload")).toEqual([]);
  expect(run.state.current).toBe("SUCCESS");
  expect(sentChecksums("sum/sha.txt")).toMatchObject({
    "x-amz-checksum-sha256": sha256,
    "x-amz-sdk-checksum-algorithm": "SHA256",
  });
  expect(await objectText(client, "data", "sum/sha.txt")).toBe("123456789");
});

it("checksumAlgorithm alone sends the checksum Saker computed; CRC32_C is Kestra's name of CRC32C", async () => {
  const run = await test.run(uploadFlow("crc", "sum/crc.txt", "checksumAlgorithm: CRC32_C"));
  expect(run.state.current).toBe("SUCCESS");
  expect(sentChecksums("sum/crc.txt")).toMatchObject({ "x-amz-checksum-crc32c": "4waSgw==" });
  expect(await objectText(client, "data", "sum/crc.txt")).toBe("123456789");
});

it("a file whose checksum is not the one given is not uploaded; a checksum without its algorithm is named", async () => {
  const wrong = await test.run(uploadFlow("wrong", "sum/wrong.txt", 'checksumAlgorithm: CRC32\nchecksum: "AAAAAA=="'));
  expect(wrong.state.current).toBe("FAILED");
  expect(errorMessages(test, wrong, "upload").join("\n")).toMatch(
    /checksum: the CRC32 of 'kestra:\/\/.+' is y\/Q5Jg==, not AAAAAA==: nothing was uploaded/,
  );
  expect(s3.requests.some((r) => r.path === "/data/sum/wrong.txt")).toBe(false);
  const alone = await test.run(uploadFlow("alone", "sum/alone.txt", 'checksum: "y/Q5Jg=="'));
  expect(alone.state.current).toBe("FAILED");
  expect(errorMessages(test, alone, "upload").join("\n")).toContain(
    "checksum needs checksumAlgorithm (CRC32, CRC32C, SHA1 or SHA256), the algorithm it is of",
  );
  await expect(test.run(uploadFlow("unknown", "sum/unknown.txt", "checksumAlgorithm: MD4"))).rejects.toThrow(
    /checksumAlgorithm: must be one of CRC32, CRC32C, CRC32_C, SHA1, SHA256 \(got "MD4"\)/,
  );
});

it("a file sent in parts is checked whole before, and each part carries its own checksum of the algorithm", async () => {
  const big = Buffer.alloc(9 * 1024 * 1024);
  for (let i = 0; i < big.length; i += 4) big.writeUInt32LE((i * 2654435761) >>> 0, i);
  await client.send(new PutObjectCommand({ Bucket: "data", Key: "in/big.bin", Body: big }));
  const sha256 = createHash("sha256").update(big).digest("base64");
  const c = awsConnection(s3);
  const run = await test.run(
    flow("parts", [
      ["download", `${P}.Download`, `${c}\nbucket: data\nkey: in/big.bin`],
      [
        "upload",
        `${P}.Upload`,
        `${c}\nbucket: data\nkey: sum/big.bin\nfrom: "{{ outputs.download.uri }}"\nchecksumAlgorithm: SHA256\nchecksum: "${sha256}"`,
      ],
    ]),
  );
  expect(errorMessages(test, run, "upload")).toEqual([]);
  expect(run.state.current).toBe("SUCCESS");
  const parts = s3.requests.filter((r) => r.method === "PUT" && r.path === "/data/sum/big.bin");
  expect(parts).toHaveLength(2);
  for (const part of parts) expect(part.headers["x-amz-checksum-sha256"]).toEqual(expect.any(String));
  const stored = await client.send(new GetObjectCommand({ Bucket: "data", Key: "sum/big.bin" }));
  expect(
    createHash("sha256")
      .update(await stored.Body!.transformToByteArray())
      .digest("base64"),
  ).toBe(sha256);
});
