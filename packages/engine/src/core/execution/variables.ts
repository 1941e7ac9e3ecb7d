/** `execution.SetVariables` and `execution.UnsetVariables`: change the execution-scoped `vars`. */
import { SakerError, z } from "@saker/sdk";
import { isMap as isPlainObject } from "../../expression/values.ts";
import { deepMerge } from "../maps.ts";
import type { FlowableContext } from "../../plugins/engineTypes.ts";
import { defineExecutorTask } from "../../plugins/engineTypes.ts";

type Tree = Record<string, unknown>;

function currentVariables(ctx: FlowableContext): Tree {
  return structuredClone(ctx.execution.variables ?? ctx.flow.flow.variables ?? {});
}

export const SetVariables = defineExecutorTask({
  type: "io.kestra.plugin.core.execution.SetVariables",
  title: "Set execution variables",
  description:
    "Renders `variables` and merges them, deeply, into the execution's variables (the flow's `variables` at first), seen as `{{ vars.* }}` by the tasks after it. With `overwrite: false` it fails when one of the keys already exists.",
  examples: [
    {
      title: "Set and read a variable",
      code: 'id: set_vars\ntype: io.kestra.plugin.core.execution.SetVariables\nvariables:\n  message: Hello\n  name: "{{ inputs.name }}"',
    },
  ],
  properties: z.object({
    variables: z.record(z.string(), z.unknown()).describe("The variables to set."),
    overwrite: z.boolean().default(true).describe("Replace existing variables; false fails when a key already exists."),
  }),
  async execute(ctx) {
    const rendered = await ctx.renderValue(ctx.task.variables);
    if (!isPlainObject(rendered)) throw new SakerError("PROPERTY_INVALID", "`variables` must be a map");
    const overwrite = await ctx.renderValue(ctx.task.overwrite ?? true);
    const current = currentVariables(ctx);
    if (overwrite === false || overwrite === "false") {
      const duplicated = Object.keys(rendered).filter((key) => key in current);
      if (duplicated.length > 0)
        throw new SakerError(
          "PROPERTY_INVALID",
          `\`overwrite\` is set to false and the following variables already exist: ${duplicated.join(",")}`,
        );
    }
    return { state: "SUCCESS", variables: deepMerge(current, rendered) };
  },
});

/** Removes `path` (dotted for nested maps) from `tree`; false when there was nothing there. */
function removePath(tree: Tree, path: string): boolean {
  const dot = path.indexOf(".");
  if (dot < 0) {
    if (!(path in tree)) return false;
    delete tree[path];
    return true;
  }
  const child = tree[path.slice(0, dot)];
  return isPlainObject(child) && removePath(child, path.slice(dot + 1));
}

export const UnsetVariables = defineExecutorTask({
  type: "io.kestra.plugin.core.execution.UnsetVariables",
  title: "Remove execution variables",
  description:
    "Removes the named variables (a dotted name reaches into nested maps) from the execution's variables. A missing one fails the task unless `ignoreMissing` is true.",
  examples: [
    {
      title: "Forget two variables",
      code: "id: unset_vars\ntype: io.kestra.plugin.core.execution.UnsetVariables\nvariables:\n  - message\n  - name",
    },
  ],
  properties: z.object({
    variables: z.array(z.string()).describe("The names of the variables to remove."),
    ignoreMissing: z.boolean().default(false).describe("Ignore names that are not set instead of failing."),
  }),
  async execute(ctx) {
    const names = await ctx.renderValue(ctx.task.variables);
    if (!Array.isArray(names)) throw new SakerError("PROPERTY_INVALID", "`variables` must be a list of names");
    const ignoreMissing = await ctx.renderValue(ctx.task.ignoreMissing ?? false);
    const variables = currentVariables(ctx);
    for (const name of names.map(String)) {
      if (!removePath(variables, name) && ignoreMissing !== true && ignoreMissing !== "true") {
        throw new SakerError(
          "PROPERTY_INVALID",
          `the variable '${name}' does not exist (set \`ignoreMissing: true\` to ignore it)`,
        );
      }
    }
    return { state: "SUCCESS", variables };
  },
});
