/**
 * Creating executions: from the API, the CLI, a trigger or a parent flow. Inputs are resolved
 * and typed here, so an execution that exists always has valid inputs.
 */
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { SakerError } from "@saker/sdk";
import type { Execution, ExecutionTrigger, Label } from "../model/execution.ts";
import type { Flow } from "../model/flow.ts";
import { friendlyId } from "../model/ids.ts";
import { checkInputs, resolveInputs, type InputCheck, type InputResolution } from "../model/inputs.ts";
import { newState } from "../model/state.ts";
import { inputPrefix, toUri } from "../storage/paths.ts";
import { executionReadPrefixes } from "../storage/taskStorage.ts";
import { inputFileUri } from "./inputFiles.ts";
import type { Storage } from "../storage/storage.ts";
import type { RenderServices, Renderer } from "../expression/renderer.ts";
import type { Encryption } from "../secrets/encryption.ts";

/** A file given for a FILE input: a local path (CLI) or bytes (an upload). */
export class FileUpload {
  constructor(
    readonly fileName: string,
    readonly content: { path: string } | { bytes: Buffer },
  ) {}

  static fromPath(path: string): FileUpload {
    return new FileUpload(basename(path), { path });
  }

  async read(): Promise<Buffer> {
    return "path" in this.content ? readFile(this.content.path) : this.content.bytes;
  }
}

export interface NewExecution {
  inputs?: Record<string, unknown>;
  labels?: Label[];
  trigger?: ExecutionTrigger;
  scheduleDate?: string;
  id?: string;
  /**
   * Leave out a required input the request does not give instead of refusing the execution.
   * Flow triggers only: Kestra starts a listener with the trigger's `inputs` as rendered, never
   * checked against the listener's declared inputs (FlowTriggerCaseTest.trigger).
   */
  allowMissingRequired?: boolean;
}

export interface FactoryDeps {
  tenantId: string;
  storage: Storage;
  renderer: Renderer;
  encryption: Encryption;
  variables(flow: Flow, execution: Execution): Record<string, unknown>;
  /** The runtime services of the inputs' renders (`kv()`, `secret()`… in defaults and expressions). */
  services?(execution: Execution): RenderServices;
}

/** Flow labels (no system ones), then the caller's, then `system.correlationId` if absent. */
export function executionLabels(flow: Flow, given: readonly Label[] | undefined, id: string): Label[] {
  const labels: Label[] = [];
  const put = (label: Label) => {
    const i = labels.findIndex((l) => l.key === label.key);
    if (i >= 0) labels[i] = label;
    else labels.push(label);
  };
  for (const l of flow.labels ?? []) if (!l.key.startsWith("system.")) put(l);
  for (const l of given ?? []) put(l);
  if (!labels.some((l) => l.key === "system.correlationId")) labels.push({ key: "system.correlationId", value: id });
  return labels;
}

export async function buildExecution(flow: Flow, request: NewExecution, deps: FactoryDeps): Promise<Execution> {
  const skeleton = executionSkeleton(flow, request);
  // a flow that declares none has no inputs: what a request gives is dropped, as resolving does
  if (!flow.inputs?.length) return skeleton;
  const inputs = await resolveInputs(
    flow.inputs,
    request.inputs ?? {},
    inputResolution(flow, skeleton, request, deps, true),
  );
  if (Object.keys(inputs).length > 0) skeleton.inputs = inputs;
  return skeleton;
}

/**
 * The inputs of a new execution checked one by one, as `buildExecution` would resolve them, with
 * nothing created or stored (an uploaded file is checked, not written).
 */
export async function checkExecutionInputs(
  flow: Flow,
  request: NewExecution,
  deps: FactoryDeps,
): Promise<InputCheck[]> {
  const skeleton = executionSkeleton(flow, request);
  return checkInputs(flow.inputs, request.inputs ?? {}, inputResolution(flow, skeleton, request, deps, false));
}

function executionSkeleton(flow: Flow, request: NewExecution): Execution {
  if (flow.disabled) throw new SakerError("FLOW_DISABLED", `Flow '${flow.namespace}/${flow.id}' is disabled`);
  const id = request.id ?? friendlyId();
  const now = new Date();
  const execution: Execution = {
    id,
    namespace: flow.namespace,
    flowId: flow.id,
    flowRevision: flow.revision ?? 1,
    taskRunList: [],
    labels: executionLabels(flow, request.labels, id),
    state: newState(now),
    originalId: id,
    deleted: false,
    metadata: { attemptNumber: 1, originalCreatedDate: now.toISOString() },
  };
  if (flow.tenantId) execution.tenantId = flow.tenantId;
  if (request.trigger) execution.trigger = request.trigger;
  if (request.scheduleDate) execution.scheduleDate = request.scheduleDate;
  return execution;
}

function inputResolution(
  flow: Flow,
  skeleton: Execution,
  request: NewExecution,
  deps: FactoryDeps,
  store: boolean,
): InputResolution {
  const id = skeleton.id;
  const resolution: InputResolution = {
    renderTyped: (template, resolved) =>
      deps.renderer.render(
        template,
        { ...deps.variables(flow, skeleton), inputs: resolved },
        true,
        deps.services?.(skeleton),
      ),
    encrypt: (plain) => deps.encryption.encrypt(plain),
    fileUri: (_inputId, uri) =>
      inputFileUri(
        deps.storage,
        {
          namespace: flow.namespace,
          readPrefixes: executionReadPrefixes(flow.namespace, flow.id, id, request.trigger?.variables),
        },
        uri,
      ),
    storeFile: async (inputId, value) => {
      if (!(value instanceof FileUpload)) {
        throw new SakerError(
          "INPUT_INVALID",
          `Invalid input for \`${inputId}\`, a FILE input takes an uploaded file or a kestra:// URI, but received \`${String(value)}\``,
        );
      }
      const path = `${inputPrefix(flow.namespace, flow.id, id, inputId)}/${value.fileName}`;
      if (store) await deps.storage.put(path, await value.read());
      return toUri(path);
    },
  };
  if (request.allowMissingRequired) resolution.allowMissingRequired = true;
  return resolution;
}
