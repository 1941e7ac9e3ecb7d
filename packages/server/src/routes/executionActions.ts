/**
 * Acting on an execution: kill, restart, replay, resume (with `onResume` inputs validated against
 * the paused task's definitions).
 */
import { isTerminated, z } from "@saker/sdk";
import {
  checkInputs,
  executionReadPrefixes,
  FileUpload,
  inputFileUri,
  inputPrefix,
  resolveInputs,
  toUri,
  type EngineApi,
  type Execution,
  type InputDefinition,
  type InputResolution,
  type Instance,
} from "@saker/engine";
import { SakerError } from "@saker/sdk";
import { conflict } from "../http/errors.ts";
import { formInputs, readForm, type FormContent } from "../http/multipart.ts";
import { defineRoute, type AnyRoute } from "../http/route.ts";
import { errors, ExecutionSchema } from "../openapi/schemas.ts";
import { ExecutionParams, storedExecution, validateInputsResponse, ValidateInputsSchema } from "./executionSupport.ts";

const TAGS = ["Executions"];

const kill = defineRoute({
  method: "DELETE",
  url: "/executions/:executionId/kill",
  summary: "Kill an execution (and its subflow executions)",
  tags: TAGS,
  params: ExecutionParams,
  response: { 202: null, ...errors(404, 409) },
  async handler({ params, reply, ctx }) {
    const { execution, finished } = await storedExecution(ctx.api, params.executionId);
    if (finished || isTerminated(execution.state.current)) {
      throw conflict(
        "EXECUTION_FINISHED",
        `Execution '${execution.id}' is already finished (${execution.state.current}), it can't be killed`,
      );
    }
    await ctx.api.executions.kill(execution.id);
    reply.code(202);
  },
});

const restart = defineRoute({
  method: "POST",
  url: "/executions/:executionId/restart",
  summary: "Restart a terminated or paused execution from its failed task runs",
  description: "Same execution id; with `revision`, a new execution of that flow revision.",
  tags: TAGS,
  params: ExecutionParams,
  query: z.looseObject({
    revision: z.coerce.number().int().min(1).optional().describe("Restart with this flow revision"),
  }),
  response: { 200: ExecutionSchema, ...errors(404, 409) },
  async handler({ params, query, ctx }) {
    await storedExecution(ctx.api, params.executionId);
    return await ctx.api.executions.restart(params.executionId, query.revision);
  },
});

const replay = defineRoute({
  method: "POST",
  url: "/executions/:executionId/replay",
  summary: "Replay an execution as a new one, from scratch or from a task run",
  tags: TAGS,
  params: ExecutionParams,
  query: z.looseObject({
    taskRunId: z.string().optional().describe("Replay from this task run"),
    revision: z.coerce.number().int().min(1).optional().describe("Replay with this flow revision"),
  }),
  response: { 200: ExecutionSchema, ...errors(404) },
  async handler({ params, query, ctx }) {
    await storedExecution(ctx.api, params.executionId);
    return await ctx.api.executions.replay(params.executionId, query.taskRunId, query.revision);
  },
});

/** The `onResume` input definitions of the task run the execution is paused on. */
export function onResumeDefinitions(instance: Instance, execution: Execution): InputDefinition[] {
  const paused = execution.taskRunList.find((t) => t.state.current === "PAUSED");
  if (!paused) return [];
  const graph = instance.flows.graph(execution.namespace, execution.flowId, execution.flowRevision);
  const raw = graph.findTask(paused.taskId)?.onResume;
  if (!Array.isArray(raw)) return [];
  return raw.map(
    (d: Record<string, unknown>) => ({ ...d, id: String(d.id ?? d.name), type: String(d.type) }) as InputDefinition,
  );
}

/** How onResume inputs are read; `store` false checks an uploaded file without writing it. */
function resumeResolution(instance: Instance, execution: Execution, store: boolean): InputResolution {
  const { flow } = instance.flows.get(execution.namespace, execution.flowId, execution.flowRevision);
  return {
    renderTyped: (template, inputs) =>
      instance.renderer.render(template, { ...instance.variables({ flow, execution }, false), inputs }, true),
    encrypt: (plain) => instance.encryption.encrypt(plain),
    fileUri: (_id, uri) =>
      inputFileUri(
        instance.storage,
        {
          namespace: execution.namespace,
          readPrefixes: executionReadPrefixes(
            execution.namespace,
            execution.flowId,
            execution.id,
            execution.trigger?.variables,
          ),
        },
        uri,
      ),
    storeFile: async (id, value) => {
      if (!(value instanceof FileUpload))
        throw new SakerError("INPUT_INVALID", `Invalid input for \`${id}\`, a FILE input takes an uploaded file`);
      const path = `${inputPrefix(execution.namespace, execution.flowId, execution.id, id)}/${value.fileName.replace(/[\\/]/g, "_")}`;
      if (store) await instance.storage.put(path, await value.read());
      return toUri(path);
    },
  };
}

/** Typed, validated onResume inputs; an INPUT_INVALID error (422) lists every problem. */
async function resumeInputs(
  instance: Instance,
  execution: Execution,
  form: FormContent,
): Promise<Record<string, unknown> | undefined> {
  const definitions = onResumeDefinitions(instance, execution);
  if (definitions.length === 0) return undefined;
  return resolveInputs(definitions, formInputs(form), resumeResolution(instance, execution, true));
}

async function pausedExecution(api: EngineApi, executionId: string): Promise<Execution> {
  const { execution } = await storedExecution(api, executionId);
  if (execution.state.current !== "PAUSED")
    throw conflict(
      "EXECUTION_NOT_PAUSED",
      `Execution '${execution.id}' is not paused (state ${execution.state.current})`,
    );
  return execution;
}

const resume = defineRoute({
  method: "POST",
  url: "/executions/:executionId/resume",
  summary: "Resume a paused execution, with the paused task's onResume inputs",
  description:
    "Inputs are multipart/form-data fields (file parts for FILE inputs), validated against the Pause task's `onResume` definitions.",
  tags: TAGS,
  consumes: ["multipart/form-data", "application/json"],
  bodyOptional: true,
  bodyDoc: { content: { "multipart/form-data": { schema: { type: "object", additionalProperties: true } } } },
  params: ExecutionParams,
  response: { 204: null, ...errors(404, 409, 422) },
  async handler({ params, request, reply, ctx }) {
    const instance = ctx.instance;
    const execution = await pausedExecution(ctx.api, params.executionId);
    const form = await readForm(request, ctx.maxRequestSize);
    await ctx.api.executions.resume(execution.id, await resumeInputs(instance, execution, form));
    reply.code(204);
  },
});

const validateResume = defineRoute({
  method: "POST",
  url: "/executions/:executionId/resume/validate",
  summary: "Check the onResume inputs of a paused execution without resuming it",
  description:
    "Each input of the paused task's `onResume` with its typed value, whether it is enabled and its errors (Kestra's ApiValidateExecutionInputsResponse). Nothing is stored.",
  tags: TAGS,
  consumes: ["multipart/form-data", "application/json"],
  bodyOptional: true,
  bodyDoc: { content: { "multipart/form-data": { schema: { type: "object", additionalProperties: true } } } },
  params: ExecutionParams,
  response: { 200: ValidateInputsSchema, ...errors(404, 409) },
  async handler({ params, request, ctx }) {
    const instance = ctx.instance;
    const execution = await pausedExecution(ctx.api, params.executionId);
    const form = await readForm(request, ctx.maxRequestSize);
    const checks = await checkInputs(
      onResumeDefinitions(instance, execution),
      formInputs(form),
      resumeResolution(instance, execution, false),
    );
    return validateInputsResponse(instance, execution.flowId, execution.namespace, checks);
  },
});

export const executionActionRoutes: AnyRoute[] = [kill, restart, replay, resume, validateResume];
