/**
 * storeStream: the producer's failure fails the task without a retry; the storage's own failure
 * is thrown as it is, so that a task's `retry` can pass it.
 */
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { describe, expect, it } from "vitest";
import { NonRetryableError, SakerError } from "./errors.ts";
import { chunkedLines, storeStream } from "./storeStream.ts";

/** A storage whose putFile reads the whole stream, then fails with `storageError` if given. */
function storage(storageError?: Error) {
  const stored: Buffer[] = [];
  return {
    stored,
    ctx: {
      storage: {
        async putFile(source: AsyncIterable<Buffer>, name: string) {
          for await (const chunk of source) {
            if (storageError) throw storageError;
            stored.push(chunk);
          }
          return `kestra:///ns/${name}`;
        },
      },
    } as unknown as Parameters<typeof storeStream>[0],
  };
}

async function* produce(parts: string[], failWith?: unknown): AsyncGenerator<Buffer> {
  for (const part of parts) yield Buffer.from(part);
  if (failWith !== undefined) throw failWith;
}

describe("storeStream", () => {
  it("stores what the producer yields", async () => {
    const { ctx, stored } = storage();
    expect(await storeStream(ctx, "out.txt", produce(["a", "b"]))).toBe("kestra:///ns/out.txt");
    expect(Buffer.concat(stored).toString()).toBe("ab");
  });

  it("fails without a retry on the producer's failure, a SakerError kept as it is", async () => {
    const bad = storeStream(storage().ctx, "x", produce(["a"], new SyntaxError("bad JSON at line 2")));
    await expect(bad).rejects.toBeInstanceOf(NonRetryableError);
    await expect(bad).rejects.toThrow("bad JSON at line 2");
    const own = new SakerError("PROPERTY_INVALID", "no such column");
    await expect(storeStream(storage().ctx, "x", produce(["a"], own))).rejects.toBe(own);
  });

  it("throws the storage's own failure as it is, retryable", async () => {
    const network = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    const failed = storeStream(storage(network).ctx, "x", produce(["a"]));
    await expect(failed).rejects.toBe(network);
    await expect(failed).rejects.not.toBeInstanceOf(NonRetryableError);
  });

  it("keeps a storage failure as it is when the storage stops the producer at a yield (pipeline, Readable.from)", async () => {
    const full = Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
    const ctx = {
      storage: {
        // as the local storage writes: a pipeline from Readable.from, whose failing sink throws into the source
        async putFile(source: AsyncIterable<Buffer>) {
          const sink = new Writable({ write: (_chunk, _encoding, done) => done(full) });
          await pipeline(Readable.from(source), sink);
          return "kestra:///never";
        },
      },
    } as unknown as Parameters<typeof storeStream>[0];
    let pulled = 0;
    async function* slowProducer(): AsyncGenerator<Buffer> {
      for (;;) {
        pulled++;
        yield Buffer.from("row\n");
      }
    }
    const failed = storeStream(ctx, "x", slowProducer());
    await expect(failed).rejects.toBe(full);
    expect(pulled).toBeGreaterThan(0);
  });

  it("keeps a system error of the producer's input (a reset stream) retryable", async () => {
    const reset = Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" });
    await expect(storeStream(storage().ctx, "x", produce(["a"], reset))).rejects.toBe(reset);
  });

  it("gathers lines into chunks of about the size asked", async () => {
    async function* lines() {
      for (let i = 0; i < 10; i++) yield "0123456789\n";
    }
    const chunks: Buffer[] = [];
    for await (const chunk of chunkedLines(lines(), 30)) chunks.push(chunk);
    expect(chunks.map((c) => c.length)).toEqual([33, 33, 33, 11]);
  });
});
