import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isSakerError } from "@saker/sdk";
import { readIonLines } from "@saker/sdk/ion";
import { describe, expect, it } from "vitest";
import {
  brokerError,
  consumeLoop,
  deserialize,
  hostOf,
  openIonRecordFile,
  readFrom,
  redactUrl,
  serialize,
  urlSecrets,
  withDeadline,
} from "./index.ts";

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe("serdes", () => {
  it("reads STRING, JSON and BYTES payloads", () => {
    expect(deserialize(Buffer.from("héllo"), "STRING", "m")).toBe("héllo");
    expect(deserialize('{"a":[1,2]}', "JSON", "m")).toEqual({ a: [1, 2] });
    expect(deserialize(new Uint8Array([1, 2]), "BYTES", "m")).toEqual(Buffer.from([1, 2]));
  });

  it("names the message that is not JSON", () => {
    let error: unknown;
    try {
      deserialize("not json {", "JSON", "message 3 of key 'orders'");
    } catch (e) {
      error = e;
    }
    expect(isSakerError(error)).toBe(true);
    expect((error as Error).message).toMatch(/^message 3 of key 'orders' is not valid JSON \(serdeType JSON\)/);
    expect((error as Error).message).toContain('"not json {"');
  });

  it("writes values: JSON strings are checked, maps become JSON, bytes stay bytes", () => {
    expect(serialize({ a: 1 }, "JSON", "m").toString()).toBe('{"a":1}');
    expect(serialize('{"a":1}', "JSON", "m").toString()).toBe('{"a":1}');
    expect(() => serialize("{nope", "JSON", "value 1")).toThrow(/value 1 is not valid JSON/);
    expect(serialize(12, "STRING", "m").toString()).toBe("12");
    expect(serialize(Buffer.from([7]), "BYTES", "m")).toEqual(Buffer.from([7]));
  });
});

describe("consumeLoop", () => {
  const batches = (sizes: number[]) => {
    let i = 0;
    const asked: (number | undefined)[] = [];
    return {
      asked,
      poll: async (max: number | undefined) => {
        asked.push(max);
        const size = sizes[i++] ?? 0;
        return Array.from({ length: max === undefined ? size : Math.min(size, max) }, (_, k) => k);
      },
    };
  };

  it("stops on the first empty poll", async () => {
    const source = batches([3, 2, 0, 5]);
    const seen: number[] = [];
    const result = await consumeLoop({
      signal: new AbortController().signal,
      poll: source.poll,
      onRecord: (r) => void seen.push(r),
    });
    expect(result).toEqual({ count: 5, reason: "empty" });
    expect(seen).toEqual([0, 1, 2, 0, 1]);
  });

  it("asks for no more than maxRecords allows, and stops there", async () => {
    const source = batches([3, 3, 3]);
    const result = await consumeLoop({
      signal: new AbortController().signal,
      maxRecords: 4,
      poll: source.poll,
      onRecord: () => {},
    });
    expect(result).toEqual({ count: 4, reason: "maxRecords" });
    expect(source.asked).toEqual([4, 1]);
  });

  it("stops after maxDuration even while records keep coming", async () => {
    const result = await consumeLoop({
      signal: new AbortController().signal,
      maxDuration: 30,
      poll: async () => {
        await new Promise((r) => setTimeout(r, 10));
        return [1];
      },
      onRecord: () => {},
    });
    expect(result.reason).toBe("maxDuration");
    expect(result.count).toBeGreaterThan(0);
  });

  it("fails when the task is stopped", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(consumeLoop({ signal: controller.signal, poll: async () => [1], onRecord: () => {} })).rejects.toThrow(
      /stopped/,
    );
  });
});

describe("Ion record files", () => {
  it("writes one value per line and stores the file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ion-records-"));
    const stored: Buffer[] = [];
    const file = await openIonRecordFile(async () => dir, {
      putFile: async (source) => {
        const { readFile } = await import("node:fs/promises");
        stored.push(await readFile(source as string));
        return "kestra:///ns/flow/executions/e/messages.ion";
      },
    });
    await file.write({ data: "a", n: 1, ts: new Date("2024-01-02T03:04:05.000Z") });
    await file.write("b");
    expect(file.count).toBe(2);
    expect(await file.store()).toBe("kestra:///ns/flow/executions/e/messages.ion");
    expect(await all(readIonLines([stored[0]!]))).toEqual([{ data: "a", n: 1, ts: "2024-01-02T03:04:05.000Z" }, "b"]);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe("from", () => {
  const storage = {
    getFile: async () => {
      const { Readable } = await import("node:stream");
      return Readable.from([Buffer.from('{data:"x"}\n{data:"y"}\n')]);
    },
  };

  it("reads a message, a list, a JSON list (when asked) and an Ion file", async () => {
    expect(await all(readFrom({ data: "one" }, storage))).toEqual([{ data: "one" }]);
    expect(await all(readFrom(["a", "b"], storage))).toEqual(["a", "b"]);
    expect(await all(readFrom('["a","b"]', storage, { parseJsonList: true }))).toEqual(["a", "b"]);
    expect(await all(readFrom('["a","b"]', storage))).toEqual(['["a","b"]']);
    expect(await all(readFrom("kestra:///ns/f/x.ion", storage))).toEqual([{ data: "x" }, { data: "y" }]);
  });
});

describe("broker errors", () => {
  it("finds the host of broker URLs", () => {
    expect(hostOf("redis://:pw@cache.internal:6379/0")).toBe("cache.internal");
    expect(hostOf("nats://token@10.0.0.5:4222")).toBe("10.0.0.5");
    expect(hostOf("amqp://[::1]:5672/vhost")).toBe("::1");
    expect(hostOf("127.0.0.1:4222")).toBe("127.0.0.1");
  });

  it("hides credentials of URLs", () => {
    expect(redactUrl("redis://:s3cret@127.0.0.1:6379/0")).toBe("redis://127.0.0.1:6379/0");
    expect(urlSecrets("nats://bob:p%40ss@h:4222")).toEqual(["bob", "p%40ss", "bob", "p@ss"]);
  });

  it("says which server cannot be reached, retryable, without the password", () => {
    const error = brokerError(
      Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1 (pw hunter2)"), { code: "ECONNREFUSED" }),
      {
        label: "Redis",
        where: "redis://127.0.0.1:1",
        secrets: ["hunter2"],
      },
    );
    expect(error.message).toBe("Redis: cannot reach redis://127.0.0.1:1: connection refused");
    expect((error as { code?: string }).code).toBe("TASK_FAILED");
    const auth = brokerError(new Error("WRONGPASS invalid username-password pair hunter2"), {
      label: "Redis",
      where: "redis://h",
      secrets: ["hunter2"],
      authPattern: /WRONGPASS|NOAUTH/,
    });
    expect(auth.message).toBe("Redis: redis://h refused the credentials: WRONGPASS invalid username-password pair ***");
    expect((auth as { code?: string }).code).toBe("TASK_FAILED_NON_RETRYABLE");
  });

  it("gives up on a hanging connection at the deadline", async () => {
    let gaveUp = false;
    await expect(
      withDeadline(new Promise(() => {}), {
        ms: 20,
        signal: new AbortController().signal,
        what: "connecting to NATS",
        onGiveUp: () => (gaveUp = true),
      }),
    ).rejects.toThrow("connecting to NATS did not complete within 20 ms");
    expect(gaveUp).toBe(true);
  });
});
