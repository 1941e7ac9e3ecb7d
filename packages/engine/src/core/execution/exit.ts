/** `execution.Exit`: ends the execution at once, in the given state. */
import { SakerError, z, type StateType } from "@saker/sdk";
import { defineExecutorTask } from "../../plugins/engineTypes.ts";

const EXIT_STATES = ["SUCCESS", "WARNING", "KILLED", "FAILED", "CANCELED"] as const;

const STATE_OF: Record<(typeof EXIT_STATES)[number], StateType> = {
  SUCCESS: "SUCCESS",
  WARNING: "WARNING",
  KILLED: "KILLED",
  FAILED: "FAILED",
  CANCELED: "CANCELLED",
};

export const Exit = defineExecutorTask({
  type: "io.kestra.plugin.core.execution.Exit",
  title: "End the execution in a given state",
  description:
    "Ends the execution now in `state` (`CANCELED` gives CANCELLED): the tasks after it do not run, and the task run and its parents take that state. Task runs still going in other branches are killed.",
  examples: [
    {
      title: "Stop when there is nothing to do",
      code: "id: exit\ntype: io.kestra.plugin.core.execution.Exit\nstate: KILLED",
    },
  ],
  properties: z.object({
    state: z.enum(EXIT_STATES).default("SUCCESS").describe("The state the execution ends in."),
  }),
  async execute(ctx) {
    const rendered = String(await ctx.renderValue(ctx.task.state ?? "SUCCESS"));
    if (!(EXIT_STATES as readonly string[]).includes(rendered))
      throw new SakerError("PROPERTY_INVALID", `\`state\` must be one of ${EXIT_STATES.join(", ")}, got '${rendered}'`);
    const state = STATE_OF[rendered as (typeof EXIT_STATES)[number]];
    return { state, exit: state };
  },
});
