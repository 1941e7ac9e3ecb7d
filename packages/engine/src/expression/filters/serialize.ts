/** Serialisation filters: toJson (json), toIon, yaml, jq. */
import type { FilterDef } from "../registry.ts";
import { toJson } from "../json.ts";
import { toIonText } from "../ion.ts";
import { jqInput, runJq } from "../jq.ts";
import { filter, stringArg } from "./helpers.ts";
import { toJacksonYaml } from "./jacksonYaml.ts";
import { signalOf } from "../../model/killSwitch.ts";

const toJsonFilter = filter((input) => toJson(input, true));

export const serializeFilters: Record<string, FilterDef> = {
  toJson: toJsonFilter,
  json: toJsonFilter,
  toIon: filter((input) => toIonText(input)),
  yaml: filter((input) => (input === null || input === undefined ? "null" : toJacksonYaml(input))),
  jq: {
    call: (input, args, ctx) => {
      if (input === null || input === undefined) return null;
      const expression = stringArg(args, "expression", 0);
      const json = jqInput(input);
      const { jqTimeoutMs: timeoutMs, jqMemoryMb: memoryMb } = ctx.limits;
      // Run off-thread: the render pauses here and resumes with the result (see renderAsync).
      return ctx.resolve(`jq:${expression.length}:${expression}${json}`, () =>
        runJq(json, expression, { timeoutMs, memoryMb, signal: signalOf(ctx.signal) }),
      );
    },
  },
};
