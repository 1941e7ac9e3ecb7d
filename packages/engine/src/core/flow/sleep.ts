import { duration, defineTask, z } from "@saker/sdk";
import { setTimeout as sleep } from "node:timers/promises";

export const Sleep = defineTask({
  type: "io.kestra.plugin.core.flow.Sleep",
  title: "Wait for a while",
  description: "Waits for `duration`; a kill or timeout interrupts it.",
  properties: z.object({ duration: duration().describe("How long to wait (ISO-8601, e.g. PT5S).") }),
  async run({ duration: ms }, ctx) {
    await sleep(ms, undefined, { signal: ctx.signal });
    return {};
  },
});
