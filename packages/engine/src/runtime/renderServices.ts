/**
 * The variables and runtime services of the executor's renders (runIf, conditions, outputs…) and
 * the triggers': the services are the worker's one copy (`worker/renderServices.ts`).
 */
import type { RenderServices } from "../expression/renderer.ts";
import { buildRunVariables, type InstanceVariables, type VariableSources } from "../executor/variables.ts";
import type { Execution } from "../model/execution.ts";
import { secretInputLeavesOf } from "../model/flow.ts";
import { putInputAt } from "../model/inputPath.ts";
import type { SecretGuard } from "../secrets/secretGuard.ts";
import type { SecretMasker } from "../secrets/masker.ts";
import { decryptedSecretInputs } from "../secrets/secretInputs.ts";
import { toStoragePath } from "../storage/paths.ts";
import { createRenderServices, type RenderSources } from "../worker/renderServices.ts";
import type { ExecutionRepository } from "../backend/backend.ts";
import type { ExecutionOrigin } from "../storage/taskStorage.ts";
import type { CompiledConfig } from "./config.ts";

function instanceEnvs(config: CompiledConfig): Record<string, string> {
  const prefix = config.variables.envVarsPrefix;
  const envs: Record<string, string> = {};
  for (const [name, value] of Object.entries(config.env)) {
    if (value !== undefined && name.startsWith(prefix) && name.length > prefix.length)
      envs[name.slice(prefix.length).toLowerCase()] = value;
  }
  return envs;
}

/** Where a stored execution was made and by which execution: what the read rule of subflow files asks. */
export async function executionOrigin(
  executions: Pick<ExecutionRepository, "get">,
  executionId: string,
): Promise<ExecutionOrigin | undefined> {
  const stored = await executions.get(executionId);
  if (!stored) return undefined;
  const { namespace, flowId } = stored.execution;
  return { namespace, flowId, parentExecutionId: stored.parentExecutionId };
}

/** The render services and variables of the executor's and the triggers' renders. */
export class Renders {
  private readonly instance: InstanceVariables;

  constructor(
    private readonly config: CompiledConfig,
    private readonly secretGuard: SecretGuard,
    private readonly sources: RenderSources,
  ) {
    this.instance = { envs: instanceEnvs(config), globals: config.variables.globals, tenantId: config.tenantId };
  }

  /**
   * The variables of a render context. `decrypt` reveals SECRET inputs and sealed values (outputs,
   * labels… holding a secret) in memory only.
   */
  variables(sources: VariableSources, decrypt: boolean): Record<string, unknown> {
    const built = buildRunVariables(sources, this.instance);
    const vars = decrypt ? this.secretGuard.reveal(built) : built;
    // built on every render: the inputs are copied only when a SECRET one is there to decrypt
    // (the memoized list first: no generator on every render of a flow without SECRET inputs)
    if (decrypt && sources.execution?.inputs && secretInputLeavesOf(sources.flow.inputs).length > 0) {
      let inputs: Record<string, unknown> | undefined;
      for (const { id, plain } of decryptedSecretInputs(sources.flow.inputs, vars.inputs, this.sources.encryption)) {
        inputs ??= { ...(vars.inputs as Record<string, unknown>) };
        putInputAt(inputs, id, plain);
      }
      if (inputs) vars.inputs = inputs;
    }
    return vars;
  }

  /** Runtime services for renders done by the executor (runIf, If conditions, outputs…). */
  executorServices(execution: Execution): RenderServices {
    return this.renderServices(execution.namespace, execution.id, this.secretGuard.masker(), [
      toStoragePath(`/${execution.namespace.split(".").join("/")}`),
    ]);
  }

  renderServices(
    namespace: string,
    executionId: string,
    masker: SecretMasker,
    readPrefixes: readonly string[],
  ): RenderServices {
    return createRenderServices(this.sources, { namespace, executionId, masker, readPrefixes });
  }
}
