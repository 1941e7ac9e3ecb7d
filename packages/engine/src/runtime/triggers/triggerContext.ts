/**
 * The context a plugin trigger is evaluated (polling) or listens (realtime) in: rendering with the
 * flow's variables, secrets (masked in its logs), KV, and storage under the execution it starts.
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import type { TriggerContext } from "@saker/sdk";
import type { TriggerState } from "../../backend/records.ts";
import { executionPrefix, triggerPrefix } from "../../storage/paths.ts";
import { createKvStore } from "../../worker/kvStore.ts";
import { createTaskLogger } from "../../worker/taskLogger.ts";
import { OpenedStreams, createTaskStorage } from "../../storage/taskStorage.ts";
import { NOTIFY } from "../../backend/notifier.ts";
import type { RoleContext } from "../roleContext.ts";
import type { DeclaredTrigger } from "./flowTriggers.ts";

export function createTriggerContext(
  role: RoleContext,
  declared: DeclaredTrigger,
  executionId: string,
  state: TriggerState,
  signal: AbortSignal,
) {
  const { flow, trigger } = declared;
  const masker = role.secretGuard.masker();
  const services = role.renders.renderServices(flow.namespace, executionId, masker, []);
  const vars = role.renders.variables({ flow }, false);
  const withExtra = (extra?: Record<string, unknown>) => (extra ? { ...vars, ...extra } : vars);
  const renderValue = (value: unknown, extra?: Record<string, unknown>) =>
    role.renderer.renderValue(value, withExtra(extra), services);
  const opened = new OpenedStreams();
  const ctx: TriggerContext = {
    flow: {
      id: flow.id,
      namespace: flow.namespace,
      ...(flow.revision !== undefined ? { revision: flow.revision } : {}),
    },
    trigger: { id: trigger.id, type: trigger.type },
    logger: createTaskLogger({ namespace: flow.namespace, flowId: flow.id, triggerId: trigger.id }, masker, (entry) => {
      void role.backend.logs
        .append([entry])
        .catch((error: unknown) =>
          role.report.loopError(`trigger log of ${flow.namespace}/${flow.id} not saved`, error),
        );
      role.backend.notifier.notify(NOTIFY.log, entry);
    }),
    ...(state.lastDate ? { lastDate: state.lastDate } : {}),
    render: async (template, extra) => String(await role.renderer.render(template, withExtra(extra), false, services)),
    renderTyped: (template, extra) => role.renderer.render(template, withExtra(extra), true, services),
    renderValue,
    secret: (key) => services.secret(key),
    signal,
    storage: createTaskStorage(
      role.storage,
      {
        namespace: flow.namespace,
        writePrefix: triggerPrefix(flow.namespace, flow.id, executionId, trigger.id),
        readPrefixes: [executionPrefix(flow.namespace, flow.id, executionId)],
      },
      opened,
    ),
    kv: (namespace) => createKvStore(role.backend.kv, role.config.tenantId, namespace ?? flow.namespace),
    pluginConfiguration: () => role.pluginConfiguration(trigger.type),
    refusedAddresses: role.config.http.refusedAddresses,
    workingDir: () =>
      (dir ??= mkdir(role.config.tmpDir, { recursive: true }).then(() =>
        mkdtemp(join(role.config.tmpDir, "trigger-")),
      )),
  };
  let dir: Promise<string> | undefined;
  /** Closes the stored files the evaluation (or listener) left open, removes the working directory it may have made. */
  const cleanup = async () => {
    opened.closeAll();
    if (dir) await rm(await dir, { recursive: true, force: true });
  };
  return { ctx, masker, renderValue, cleanup };
}
