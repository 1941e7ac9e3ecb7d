/**
 * A stream a trigger opens from internal storage and leaves unread (its evaluation returns, its
 * listener stops) is closed when that evaluation or listener ends, not when the collector finds it.
 */
import type { Readable } from "node:stream";
import { defineTrigger, z, type TriggerContext } from "@saker/sdk";
import { afterEach, describe, expect, it } from "vitest";
import { setTriggerDisabled } from "../../api/triggers.ts";
import { coreRegistry } from "../registryLoader.ts";
import { eventually, openTestInstance, type TestInstance } from "../../testing/testInstance.ts";

/** The streams the triggers below opened, to look at after they end. */
const opened: Readable[] = [];

/** Stores a file, opens it twice, reads one stream in part and leaves the other unread. */
async function openAndLeave(ctx: TriggerContext): Promise<void> {
  const uri = await ctx.storage.putFile(Buffer.from("x".repeat(256 * 1024)), "big.txt");
  const unread = await ctx.storage.getFile(uri);
  opened.push(unread);
  const partly = await ctx.storage.getFile(uri);
  opened.push(partly);
  await new Promise((resolve) => partly.once("data", resolve));
  partly.pause();
}

const Poller = defineTrigger({
  type: "io.saker.test.StreamPoller",
  triggerKind: "polling",
  title: "Open stored files on each evaluation, start nothing",
  properties: z.object({ interval: z.string().default("PT1S") }),
  async evaluate(_props, ctx) {
    await openAndLeave(ctx);
    return undefined;
  },
});

const Listener = defineTrigger({
  type: "io.saker.test.StreamListener",
  triggerKind: "realtime",
  title: "Open stored files, then listen until stopped",
  properties: z.object({}),
  async listen(_props, ctx) {
    await openAndLeave(ctx);
    if (!ctx.signal.aborted) await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve));
  },
});

let t: TestInstance | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
  opened.length = 0;
});

async function open(): Promise<TestInstance> {
  const registry = coreRegistry();
  registry.addType({ name: "saker-test-streams", version: "1.0.0", core: false }, Poller);
  registry.addType({ name: "saker-test-streams", version: "1.0.0", core: false }, Listener);
  t = await openTestInstance({ registry, scheduler: true });
  return t;
}

const flow = (type: string) => `id: streams
namespace: streams.tests
tasks:
  - id: never
    type: io.kestra.plugin.core.debug.Return
    format: unused
triggers:
  - id: opener
    type: ${type}
`;

describe("streams a trigger opened from internal storage", () => {
  it("are closed when a polling trigger's evaluation ends", async () => {
    const test = await open();
    await test.instance.deploy(flow("io.saker.test.StreamPoller"));
    await eventually(() => (opened.length >= 2 ? true : undefined), 10_000, "an evaluation");
    const [unread, partly] = opened;
    await eventually(() => (unread!.destroyed && partly!.destroyed ? true : undefined), 5_000, "the streams closed");
  });

  it("are closed when a realtime listener stops", async () => {
    const test = await open();
    await test.instance.deploy(flow("io.saker.test.StreamListener"));
    await eventually(() => (opened.length >= 2 ? true : undefined), 10_000, "the listener");
    // open while the listener runs
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(opened.map((s) => s.destroyed)).toEqual([false, false]);
    await setTriggerDisabled(
      test.instance,
      { namespace: "streams.tests", flowId: "streams", triggerId: "opener" },
      true,
    );
    await eventually(() => (opened.every((s) => s.destroyed) ? true : undefined), 5_000, "the streams closed");
  });
});
