/**
 * `POST /executions/{executionId}/eval/{taskRunId}`: renders an expression in the context of a
 * task run, as the task saw it (Kestra's "debug expression" of the outputs tab). The render has
 * the instance's expression budgets, and the answer is masked like every other way out: the
 * instance's secrets, the execution's SECRET inputs, sealed values, and every `secret()` the
 * expression itself reads.
 */
import { errorMessage, z } from "@saker/sdk";
import { executionReadPrefixes } from "@saker/engine";
import { ApiError, badRequest, notFound } from "../http/errors.ts";
import { defineRoute, type AnyRoute } from "../http/route.ts";
import { errors } from "../openapi/schemas.ts";
import { storedExecution } from "./executionSupport.ts";

const EvalResultSchema = z.object({
  result: z.string().optional().describe("The rendered text"),
  error: z.string().optional().describe("Why the expression could not be rendered"),
  stackTrace: z.string().optional().describe("Saker gives the error again here (no Java stack)"),
});

const evaluate = defineRoute({
  method: "POST",
  url: "/executions/:executionId/eval/:taskRunId",
  summary: "Render an expression in the context of a task run",
  description:
    "The body is the expression as text/plain. A render error is answered with 200 and `error`, as Kestra does; secrets are masked in both.",
  tags: ["Executions"],
  consumes: ["text/plain"],
  params: z.object({
    executionId: z.string().describe("The execution id"),
    taskRunId: z.string().describe("The task run id"),
  }),
  body: z.string().describe("The expression, e.g. {{ outputs.extract.uri }}"),
  response: { 200: EvalResultSchema, ...errors(400, 404) },
  async handler({ params, body, ctx }) {
    const instance = ctx.instance;
    if (typeof body !== "string" || body.trim() === "")
      throw badRequest("The body must be the expression to render, as text/plain", "body");
    const { execution } = await storedExecution(ctx.api, params.executionId);
    const taskRun = execution.taskRunList.find((t) => t.id === params.taskRunId);
    if (!taskRun)
      throw notFound("TASK_RUN_NOT_FOUND", `Task run '${params.taskRunId}' not found in execution '${execution.id}'`);
    const graph = instance.flows.graph(execution.namespace, execution.flowId, execution.flowRevision);
    const flow = graph.flow;
    const task = graph.findTask(taskRun.taskId);
    const masker = instance.secretGuard.executionMasker(flow, execution);
    const services = instance.renderServices(
      execution.namespace,
      execution.id,
      masker,
      executionReadPrefixes(execution.namespace, execution.flowId, execution.id, execution.trigger?.variables),
    );
    const variables = instance.variables({ flow, execution, ...(task ? { task } : {}), taskRun }, true);
    try {
      const rendered = await instance.renderer.render(body, variables, false, services);
      return { result: masker.mask(typeof rendered === "string" ? rendered : JSON.stringify(rendered)) };
    } catch (error) {
      if (error instanceof ApiError) throw error;
      const message = masker.mask(errorMessage(error));
      return { error: message, stackTrace: message };
    }
  },
});

export const executionEvalRoutes: AnyRoute[] = [evaluate];
