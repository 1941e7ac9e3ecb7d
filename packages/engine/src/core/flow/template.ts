/**
 * `flow.Template`: Kestra's deprecated templates (disabled by default since 0.11). Saker has no
 * template store, so the type is known, to refuse such a flow with a clear message at its place
 * rather than as an unknown type.
 */
import { SakerError, z } from "@saker/sdk";
import { defineExecutorTask } from "../../plugins/engineTypes.ts";

const NOT_SUPPORTED =
  "templates are not supported (deprecated since Kestra 0.11 and disabled by default): use a Subflow (io.kestra.plugin.core.flow.Subflow) instead";

export const Template = defineExecutorTask({
  type: "io.kestra.plugin.core.flow.Template",
  aliases: ["io.kestra.core.tasks.flows.Template"],
  title: "Include a template (deprecated, not supported)",
  description: "Kestra's templates are deprecated and disabled by default; a flow using one is refused. Use a Subflow.",
  deprecated: true,
  properties: z.object({
    namespace: z.string().describe("The namespace of the template."),
    templateId: z.string().describe("The id of the template."),
    tenantId: z.string().optional().describe("The tenant of the template."),
    args: z.record(z.string(), z.string()).optional().describe("Arguments given to the template."),
  }),
  validate: () => [NOT_SUPPORTED],
  async execute() {
    throw new SakerError("TEMPLATE_UNSUPPORTED", NOT_SUPPORTED);
  },
});
