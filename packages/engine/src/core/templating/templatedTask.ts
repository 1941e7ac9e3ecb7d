/** `templating.TemplatedTask`: a runnable task whose definition is itself rendered from a template. */
import { defineTask, errorMessage, NonRetryableError, z, type AnyTaskDefinition } from "@saker/sdk";
import { isDataLimitError, parseYamlData } from "../../model/dataLimits.ts";
import { renderProperties } from "../../plugins/properties.ts";
import { engineOf } from "../../plugins/engineServices.ts";

const TYPE = "io.kestra.plugin.core.templating.TemplatedTask";

function parseSpec(spec: string): Record<string, unknown> {
  let node: unknown;
  try {
    node = parseYamlData(spec, "spec");
  } catch (error) {
    if (isDataLimitError(error)) throw error;
    throw new NonRetryableError(`'spec' is not valid YAML: ${errorMessage(error)}`);
  }
  if (!node || typeof node !== "object" || Array.isArray(node))
    throw new NonRetryableError("'spec' must render to a YAML map describing a task");
  const task = node as Record<string, unknown>;
  if (typeof task.type !== "string") throw new NonRetryableError("'spec' must have a 'type'");
  return task;
}

export const TemplatedTask = defineTask({
  type: TYPE,
  aliases: ["io.kestra.core.tasks.templating.TemplatedTask"],
  title: "Run a task defined by a template",
  description:
    "Renders `spec` to the YAML definition of a runnable task, then validates and runs that task here; its outputs become this task's outputs.",
  examples: [
    {
      title: "Pick the log level at run time",
      code: "id: templated\ntype: io.kestra.plugin.core.templating.TemplatedTask\nspec: |\n  type: io.kestra.plugin.core.log.Log\n  level: {{ inputs.level }}\n  message: Hello",
    },
  ],
  properties: z.object({
    spec: z.string().describe("The task's YAML; rendered first, so it may be built with expressions."),
  }),
  async run({ spec }, ctx) {
    const node = parseSpec(spec);
    const registry = engineOf(ctx).registry;
    const registered = registry.resolve(String(node.type), typeof node.version === "string" ? node.version : undefined);
    if (registered.type === TYPE) throw new NonRetryableError(`The templated task cannot be of type '${TYPE}'`);
    if (registered.definition.kind !== "task")
      throw new NonRetryableError(`The templated task must be a runnable task; '${node.type}' is not`);
    const definition = registered.definition as AnyTaskDefinition;
    const props = await renderProperties(definition.properties, node, (value) => ctx.renderValue(value));
    ctx.logger.debug("Running templated task of type {}", registered.type);
    // The inner task's outputs (or its TaskOutcome) pass through unchanged.
    return (await definition.run(props, ctx)) as Record<string, unknown>;
  },
});
