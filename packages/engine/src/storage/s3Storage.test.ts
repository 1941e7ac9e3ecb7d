import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { createServer, type Socket } from "node:net";
import { Readable } from "node:stream";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startS3Server, type TestS3Server } from "../testing/s3Server.ts";
import { EnvSecretBackend, SecretStore } from "../secrets/secrets.ts";
import { s3StorageOptions, StorageConfigSchema } from "./s3Config.ts";
import { S3Storage, type S3StorageOptions } from "./s3Storage.ts";
import { streamToBuffer } from "./streams.ts";

let s3: TestS3Server;
let raw: S3Client;
const opened: S3Storage[] = [];
const children: ChildProcess[] = [];

beforeAll(async () => {
  s3 = await startS3Server(["saker", "other"]);
  open(); // Before any other client: S3Storage is what silences the SDK's Node version warning.
  raw = new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
});
afterAll(async () => {
  for (const child of children) child.kill();
  for (const storage of opened) storage.close();
  raw.destroy();
  await s3.close();
});

function open(options: Partial<S3StorageOptions> = {}): S3Storage {
  const storage = new S3Storage({
    bucket: "saker",
    endpoint: s3.endpoint,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    ...options,
  });
  opened.push(storage);
  return storage;
}

async function keys(bucket: string, prefix: string): Promise<string[]> {
  const listed = await raw.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (listed.Contents ?? []).map((o) => o.Key!).sort();
}

/** The most heap and buffer memory held at once, past a full garbage collection, over a baseline. */
function retainedMemory(): { sample(): void; peak(): number } {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  const held = () => {
    // V8 frees the memory of dead buffers on a background thread after a collection: a second
    // collection waits for that, so buffers already dead are not counted (one alone let a loaded
    // CI count up to 40 MiB of them).
    gc();
    gc();
    const usage = process.memoryUsage();
    return usage.heapUsed + usage.arrayBuffers;
  };
  const base = held();
  let peak = 0;
  return {
    sample: () => {
      peak = Math.max(peak, held() - base);
    },
    peak: () => peak,
  };
}

/** An S3 server in a child process (killed at the end of the test run in any case). */
async function startS3ServerProcess(bucket: string): Promise<{ endpoint: string; stop(): void }> {
  const child = spawn(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      `const { default: S3rver } = await import("s3rver");
       const { mkdtempSync } = await import("node:fs");
       const { join } = await import("node:path");
       const { tmpdir } = await import("node:os");
       const server = new S3rver({ address: "127.0.0.1", port: 0, silent: true,
         directory: mkdtempSync(join(tmpdir(), "saker-s3-")), configureBuckets: [{ name: ${JSON.stringify(bucket)} }] });
       const { port } = await server.run();
       process.stdout.write(port + "\\n");`,
    ],
    { cwd: fileURLToPath(new URL("../..", import.meta.url)), stdio: ["ignore", "pipe", "inherit"] },
  );
  children.push(child);
  const [line] = (await once(child.stdout!, "data")) as [Buffer];
  return { endpoint: `http://127.0.0.1:${line.toString().trim()}`, stop: () => child.kill() };
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("S3Storage layout", () => {
  it("puts the kestra:// layout under the prefix, and lists only keys of storage paths", async () => {
    const storage = open({ prefix: "/team/prod/" });
    await storage.put("kestra:///company/team/flow/executions/x/tasks/t/r/out.txt", Buffer.from("out"));
    expect(await keys("saker", "team/")).toEqual(["team/prod/company/team/flow/executions/x/tasks/t/r/out.txt"]);
    for (const key of ["team/prod/dir/", "team/prodx/c.txt"])
      await raw.send(new PutObjectCommand({ Bucket: "saker", Key: key, Body: "x" }));
    expect(await storage.list("/")).toEqual(["/company/team/flow/executions/x/tasks/t/r/out.txt"]);
  });

  it("uses the bucket's root without a prefix", async () => {
    const storage = open({ bucket: "other" });
    await storage.put("/ns/_files/a.sh", Buffer.from("echo"));
    expect(await keys("other", "")).toEqual(["ns/_files/a.sh"]);
    expect(await storage.list("/ns")).toEqual(["/ns/_files/a.sh"]);
  });

  it("refuses a prefix that climbs", () => {
    expect(() => open({ prefix: "a/../../b" })).toThrow(expect.objectContaining({ code: "STORAGE_PATH_INVALID" }));
  });
});

describe("S3Storage streaming", () => {
  it("streams a 50 MB file in and out without holding it in memory", async () => {
    // The server runs in another process: only the storage's own memory is measured here.
    const server = await startS3ServerProcess("big");
    const storage = open({ endpoint: server.endpoint, bucket: "big" });
    const chunk = Buffer.alloc(1024 * 1024);
    const total = 50;
    const sent = createHash("sha256");
    const retained = retainedMemory();
    const source = Readable.from(
      (function* () {
        for (let i = 0; i < total; i++) {
          chunk.fill(i % 251);
          sent.update(chunk);
          if (i % 5 === 0) retained.sample();
          yield Buffer.from(chunk);
        }
      })(),
      { highWaterMark: 1 },
    );
    expect(await storage.put("/big/file.bin", source)).toBe(total * chunk.length);
    expect(await storage.size("/big/file.bin")).toBe(total * chunk.length);
    const received = createHash("sha256");
    let size = 0;
    let sampledAt = 0;
    for await (const part of await storage.get("/big/file.bin")) {
      received.update(part as Buffer);
      size += (part as Buffer).length;
      if (size - sampledAt >= 5 * 1024 * 1024) {
        sampledAt = size;
        retained.sample();
      }
    }
    expect(size).toBe(total * chunk.length);
    expect(received.digest("hex")).toBe(sent.digest("hex"));
    // Parts of 5 MiB, two in flight and one filling (17 MiB measured): well below the 50 MB a
    // whole-file buffer holds.
    expect(retained.peak()).toBeLessThan(32 * 1024 * 1024);
    server.stop();
  });

  it("leaves nothing behind when the source fails mid-way", async () => {
    const storage = open({ prefix: "broken" });
    const source = Readable.from(
      (async function* () {
        yield Buffer.alloc(6 * 1024 * 1024, 1);
        yield Buffer.alloc(6 * 1024 * 1024, 2);
        throw new Error("the source broke");
      })(),
    );
    await expect(storage.put("/a/file.bin", source)).rejects.toThrow(/the source broke/);
    expect(await storage.exists("/a/file.bin")).toBe(false);
  });
});

describe("S3Storage errors", () => {
  it("names the missing bucket", async () => {
    const storage = open({ bucket: "no-such-bucket" });
    await expect(storage.verify()).rejects.toThrow(
      expect.objectContaining({
        code: "STORAGE_BUCKET_NOT_FOUND",
        message: expect.stringContaining("'no-such-bucket'"),
      }),
    );
    await expect(storage.put("/a.txt", Buffer.from("x"))).rejects.toThrow(
      expect.objectContaining({ code: "STORAGE_BUCKET_NOT_FOUND" }),
    );
  });

  it("says the credentials are refused, never showing the secret", async () => {
    const storage = open({ credentials: { accessKeyId: "WRONG-KEY", secretAccessKey: "very-secret-value" } });
    const error = await storage.verify().catch((e: unknown) => e as Error & { code: string });
    expect(error).toMatchObject({ code: "STORAGE_CREDENTIALS_REJECTED", message: expect.stringContaining("'saker'") });
    expect(error!.message).not.toContain("very-secret-value");
    await expect(storage.put("/a.txt", Buffer.from("x"))).rejects.toThrow(
      expect.objectContaining({ code: "STORAGE_CREDENTIALS_REJECTED" }),
    );
    await expect(storage.exists("/a.txt")).rejects.toThrow(
      expect.objectContaining({ code: "STORAGE_CREDENTIALS_REJECTED" }),
    );
  });

  it("fails fast on an endpoint nothing listens on", async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const storage = open({ endpoint });
    await expect(storage.verify()).rejects.toThrow(
      expect.objectContaining({ code: "STORAGE_UNREACHABLE", message: expect.stringContaining(endpoint) }),
    );
    await expect(storage.get("/a.txt")).rejects.toThrow(expect.objectContaining({ code: "STORAGE_UNREACHABLE" }));
    await expect(storage.list("/")).rejects.toThrow(expect.objectContaining({ code: "STORAGE_UNREACHABLE" }));
  });
});

it("fails, never hangs, on a server that accepts connections and never answers", async () => {
  const sockets: Socket[] = [];
  const silent = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  try {
    const { port } = silent.address() as { port: number };
    const storage = open({ endpoint: `http://127.0.0.1:${port}`, requestTimeoutMs: 300 });
    await expect(storage.verify()).rejects.toThrow(expect.objectContaining({ code: "STORAGE_UNREACHABLE" }));
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  }
});

describe("storage configuration of S3", () => {
  it("reads {{ secret('…') }} keys from the secrets when first needed", async () => {
    const config = StorageConfigSchema.parse({
      type: "s3",
      bucket: "saker",
      prefix: "from-secrets",
      endpoint: s3.endpoint,
      accessKey: "{{ secret('S3_ACCESS') }}",
      secretKey: '{{secret("s3_secret")}}',
    });
    const secrets = new SecretStore([
      new EnvSecretBackend({
        SECRET_S3_ACCESS: Buffer.from(s3.accessKeyId).toString("base64"),
        SECRET_S3_SECRET: Buffer.from(s3.secretAccessKey).toString("base64"),
      }),
    ]);
    const storage = new S3Storage(s3StorageOptions(config, secrets));
    opened.push(storage);
    await storage.verify();
    await storage.put("/a.txt", Buffer.from("via secrets"));
    expect((await streamToBuffer(await storage.get("/a.txt"))).toString()).toBe("via secrets");

    const missing = new S3Storage(s3StorageOptions(config, new SecretStore([])));
    opened.push(missing);
    await expect(missing.verify()).rejects.toThrow(
      expect.objectContaining({
        code: "CONFIG_INVALID",
        message: expect.stringContaining("storage.accessKey reads the secret 'S3_ACCESS', which does not exist"),
      }),
    );
  });
});
