/**
 * Shared by the execution routes: request labels, the client going away, and a stored execution
 * as a 404 when missing.
 */
import { z } from "@saker/sdk";
import type { EngineApi, InputCheck, Instance, StoredExecution } from "@saker/engine";
import { badRequest, notFound } from "../http/errors.ts";
import { parseLabel } from "../http/filters.ts";

export const ExecutionParams = z.object({ executionId: z.string().describe("The execution id") });

export async function storedExecution(api: EngineApi, id: string): Promise<StoredExecution> {
  const stored = await api.executions.stored(id);
  if (!stored || stored.execution.deleted) throw notFound("EXECUTION_NOT_FOUND", `Execution '${id}' not found`);
  return stored;
}

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

/** The reason of {@link clientGone}'s aborts: one value, so that an abort does not build an error and its stack. */
const RESPONSE_CLOSED = Object.freeze({ name: "AbortError", message: "The response closed" });

/** An AbortSignal that fires when the response closes (sent, or the client went away). */
export function clientGone(raw: { once(event: "close", fn: () => void): unknown }): AbortSignal {
  const controller = new AbortController();
  raw.once("close", () => controller.abort(RESPONSE_CLOSED));
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
