/**
 * A plugin trigger sees the instance's outbound-address policy (`http.refusedAddresses`), as a
 * task does, so that the broker and mailbox triggers refuse what the configuration refuses.
 */
import { defineTrigger, resolveOutbound, z, type TriggerContext } from "@saker/sdk";
import { afterEach, describe, expect, it } from "vitest";
import { coreRegistry } from "../registryLoader.ts";
import { eventually, openTestInstance, type TestInstance } from "../../testing/testInstance.ts";

/** What the evaluations saw: the policy, and the outcome of connecting to 127.0.0.1. */
const seen: { refused: TriggerContext["refusedAddresses"]; loopback: string }[] = [];

const Prober = defineTrigger({
  type: "io.saker.test.AddressProber",
  triggerKind: "polling",
  title: "Records the address policy it is given, starts nothing",
  properties: z.object({ interval: z.string().default("PT1S") }),
  async evaluate(_props, ctx) {
    const loopback = await resolveOutbound({ ...ctx, task: ctx.trigger }, "127.0.0.1", "host").then(
      () => "allowed",
      (error: unknown) => (error as Error).message,
    );
    seen.push({ refused: ctx.refusedAddresses, loopback });
    return undefined;
  },
});

let t: TestInstance | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
  seen.length = 0;
});

async function probe(overrides: Record<string, unknown>) {
  const registry = coreRegistry();
  registry.addType({ name: "saker-test-addresses", version: "1.0.0", core: false }, Prober);
  t = await openTestInstance({ registry, scheduler: true, overrides });
  await t.instance.deploy(`id: addresses
namespace: addresses.tests
tasks:
  - id: never
    type: io.kestra.plugin.core.debug.Return
    format: unused
triggers:
  - id: prober
    type: io.saker.test.AddressProber
`);
  return eventually(() => seen[0], 10_000, "an evaluation");
}

describe("a plugin trigger's address policy", () => {
  it("is configuration http.refusedAddresses", async () => {
    const got = await probe({ http: { refusedAddresses: ["127.0.0.0/8"] } });
    expect(got.refused).toEqual(["127.0.0.0/8"]);
    expect(got.loopback).toContain(
      "connecting to 127.0.0.1 is refused: the address is in 127.0.0.0/8, which configuration http.refusedAddresses refuses",
    );
  });

  it("is the default (link-local) when not configured: loopback is allowed", async () => {
    const got = await probe({});
    expect(got.refused).toContain("169.254.0.0/16");
    expect(got.loopback).toBe("allowed");
  });
});
