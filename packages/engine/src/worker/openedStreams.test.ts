/**
 * A stream a task opens from internal storage and leaves unread (the task fails first, or reads
 * only the start) is closed when its task run ends, not when the collector finds it.
 */
import type { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { definePlugin, defineTask, z } from "@saker/sdk";
import { coreRegistry, openTestInstance, taskRun, type TestInstance } from "../testing/index.ts";

/** The streams the task below opened, to look at after its run. */
const opened: Readable[] = [];

const OpenAndLeave = defineTask({
  type: "test.streams.OpenAndLeave",
  title: "Open stored files and leave them unread",
  properties: z.object({ fail: z.boolean().default(false) }),
  outputs: z.object({ first: z.string() }),
  async run({ fail }, ctx) {
    const uri = await ctx.storage.putFile(Buffer.from("x".repeat(256 * 1024)), "big.txt");
    const unread = await ctx.storage.getFile(uri);
    opened.push(unread);
    const partly = await ctx.storage.getFile(uri);
    opened.push(partly);
    const first = await new Promise<string>((resolve) =>
      partly.once("data", (chunk: Buffer) => resolve(String(chunk[0]))),
    );
    partly.pause();
    const whole = await ctx.storage.getFile(uri);
    opened.push(whole);
    for await (const _ of whole);
    if (fail) throw new Error("failing with two files still open");
    return { first };
  },
});

/** Opens a stored file only after its run timed out: its code still runs once the run has ended. */
const OpenAfterTimeout = defineTask({
  type: "test.streams.OpenAfterTimeout",
  title: "Open a stored file after the run's timeout",
  properties: z.object({}),
  outputs: z.object({}),
  async run(_props, ctx) {
    const uri = await ctx.storage.putFile(Buffer.from("late"), "late.txt");
    await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve, { once: true }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const late = await ctx.storage.getFile(uri);
    opened.push(late);
    lateOpened?.();
    return {};
  },
});
let lateOpened: (() => void) | undefined;

let test: TestInstance;
beforeAll(async () => {
  const registry = coreRegistry();
  registry.addPlugin(
    { name: "test-streams", version: "1.0.0", core: false },
    definePlugin({ tasks: [OpenAndLeave, OpenAfterTimeout] }),
  );
  test = await openTestInstance({ registry });
});
afterAll(async () => test?.close());

const flow = (fail: boolean) =>
  `id: streams\nnamespace: company.team\ntasks:\n  - id: open\n    type: test.streams.OpenAndLeave\n    fail: ${fail}\n`;

describe("streams a task opened from internal storage", () => {
  it("are closed when the task run ends, whether it succeeded or failed", async () => {
    for (const fail of [false, true]) {
      opened.length = 0;
      const ex = await test.run(flow(fail));
      expect(ex.state.current).toBe(fail ? "FAILED" : "SUCCESS");
      if (!fail) expect(taskRun(ex, "open").outputs).toEqual({ first: "120" });
      expect(opened).toHaveLength(3);
      expect(opened.map((s) => s.destroyed)).toEqual([true, true, true]);
    }
  });

  it("are closed when opened by a timed-out task's code after its run ended", async () => {
    opened.length = 0;
    const lateOpen = new Promise<void>((resolve) => (lateOpened = resolve));
    const ex = await test.run(
      "id: late\nnamespace: company.team\ntasks:\n  - id: open\n    type: test.streams.OpenAfterTimeout\n    timeout: PT0.2S\n",
    );
    expect(ex.state.current).toBe("FAILED");
    await lateOpen;
    expect(opened).toHaveLength(1);
    expect(opened[0]!.destroyed).toBe(true);
  });
});
