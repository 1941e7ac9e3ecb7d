/**
 * Shared by the execution routes: the field table for filters and sorting, request labels,
 * waiting for an execution to settle, and a stored execution as a 404 when missing.
 */
import { z } from "@saker/sdk";
import type { Execution } from "@saker/engine/model/execution";
import type { Instance } from "@saker/engine/runtime/instance";
import type { StoredExecution } from "@saker/engine/repository/sqlite/executionStore";
import type { InputCheck } from "@saker/engine/model/inputs";
import { badRequest, notFound } from "../http/errors.ts";
import { parseLabel, type FieldTable } from "../http/filters.ts";

export const ExecutionParams = z.object({ executionId: z.string().describe("The execution id") });

export function storedExecution(instance: Instance, id: string): StoredExecution {
  const stored = instance.executions.get(id);
  if (!stored || stored.execution.deleted) throw notFound("EXECUTION_NOT_FOUND", `Execution '${id}' not found`);
  return stored;
}

export const EXECUTION_FIELDS: FieldTable<Execution> = {
  fields: {
    id: (x) => x.id,
    namespace: (x) => x.namespace,
    flowId: (x) => x.flowId,
    flowRevision: (x) => x.flowRevision,
    state: (x) => x.state.current,
    labels: (x) => x.labels,
    startDate: (x) => x.state.startDate,
    endDate: (x) => x.state.endDate,
    duration: (x) => x.state.duration,
    originalId: (x) => x.originalId,
    parentId: (x) => x.parentId,
    triggerId: (x) => x.trigger?.id,
    "state.current": (x) => x.state.current,
    "state.startDate": (x) => x.state.startDate,
    "state.endDate": (x) => x.state.endDate,
    "state.duration": (x) => x.state.duration,
  },
  text: (x) => [x.id, x.namespace, x.flowId, ...x.labels.map((l) => `${l.key}:${l.value}`)],
};

/** `labels=k:v` from a request; only `system.correlationId` may be given among system labels. */
export function requestLabels(raw: readonly string[] | undefined): { key: string; value: string }[] {
  const labels = (raw ?? []).map(parseLabel);
  const system = labels.find((l) => l.key.startsWith("system.") && l.key !== "system.correlationId");
  if (system)
    throw badRequest(
      `System labels can only be set by Saker itself, offending label: ${system.key}=${system.value}`,
      "query.labels",
    );
  return labels;
}

/**
 * Resolves with the execution once it is finished, or paused (a person must act then), or when
 * `signal` aborts (with the execution as it is).
 */
export function waitForSettled(instance: Instance, id: string, signal: AbortSignal): Promise<Execution> {
  return new Promise((resolve) => {
    const check = () => {
      const status = instance.executions.status(id);
      if (status && !status.finished && status.state !== "PAUSED" && !signal.aborted) return;
      const stored = instance.executions.get(id);
      if (!stored || stored.finished || stored.execution.state.current === "PAUSED" || signal.aborted) {
        instance.events.off("execution", onChange);
        signal.removeEventListener("abort", check);
        resolve(stored?.execution ?? instance.getExecution(id));
      }
    };
    const onChange = (x: Execution) => {
      if (x.id === id) check();
    };
    instance.events.on("execution", onChange);
    signal.addEventListener("abort", check);
    check();
  });
}

/** An AbortSignal that fires when the response closes (sent, or the client went away). */
export function clientGone(raw: { on(event: "close", fn: () => void): unknown }): AbortSignal {
  const controller = new AbortController();
  raw.on("close", () => controller.abort());
  return controller.signal;
}

/** Kestra's `ApiValidateExecutionInputsResponse`. */
export const ValidateInputsSchema = z.object({
  id: z.string().describe("The flow id"),
  namespace: z.string(),
  inputs: z.array(
    z.object({
      input: z.looseObject({ id: z.string(), type: z.string() }).describe("The input's definition"),
      value: z.unknown().optional().describe("The typed value (a SECRET input's is masked)"),
      enabled: z.boolean(),
      errors: z.array(z.object({ message: z.string() })),
    }),
  ),
});

/** Checked inputs as the validate endpoints answer them, secrets masked. */
export function validateInputsResponse(
  instance: Instance,
  flowId: string,
  namespace: string,
  checks: readonly InputCheck[],
): z.output<typeof ValidateInputsSchema> {
  const inputs = checks.map((c) => ({
    input: c.definition,
    ...(c.value !== undefined
      ? { value: c.definition.type === "SECRET" && c.value !== null ? "******" : c.value }
      : {}),
    enabled: c.enabled,
    errors: c.errors.map((message) => ({ message })),
  }));
  return instance.secretGuard.display({ id: flowId, namespace, inputs });
}
