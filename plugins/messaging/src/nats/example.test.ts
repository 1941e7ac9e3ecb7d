import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { messagingInstance, serviceAvailable, taskRun } from "../../test/instance.ts";
import { testStream } from "../../test/nats.ts";
import { rawRedis, uniqueKey } from "../../test/redis.ts";

const up = (await serviceAvailable("NATS", "127.0.0.1", 4222)) && (await serviceAvailable("Redis", "127.0.0.1", 6379));
const source = readFileSync(new URL("../../../../examples/messaging-relay.yaml", import.meta.url), "utf8");

describe.runIf(up)("examples/messaging-relay.yaml", () => {
  const redis = rawRedis();
  afterAll(() => redis.disconnect());

  it("relays the NATS messages to the Redis list, as JSON", async () => {
    const s = await testStream();
    const test = await messagingInstance();
    const list = uniqueKey("relayed");
    try {
      await s.publish(`${s.prefix}.created`, '{"id": 1}');
      await s.publish(`${s.prefix}.created`, '{"id": 2}');
      const execution = await test.run(source, { subject: `${s.prefix}.>`, list });
      expect(execution.state.current).toBe("SUCCESS");
      expect(taskRun(execution, "push").outputs).toEqual({ count: 2 });
      const relayed = (await redis.lrange(list, 0, -1)).map((text) => JSON.parse(text) as { data: string });
      expect(relayed.map((r) => r.data)).toEqual(['{"id": 2}', '{"id": 1}']);
      expect(await redis.get(`${list}:last-batch`)).toBe("2");
    } finally {
      await redis.del(list, `${list}:last-batch`);
      await test.close();
      await s.close();
    }
  });
});
