/**
 * The context a plugin trigger is evaluated (polling) or listens (realtime) in: rendering with the
 * flow's variables, secrets (masked in its logs), KV, and storage under the execution it starts.
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import type { TriggerContext } from "@saker/sdk";
import type { TriggerState } from "../../repository/sqlite/triggerStore.ts";
import { executionPrefix, triggerPrefix } from "../../storage/paths.ts";
import { createKvStore } from "../../worker/kvStore.ts";
import { createTaskLogger } from "../../worker/taskLogger.ts";
import { createTaskStorage } from "../../worker/taskStorage.ts";
import type { Instance } from "../instance.ts";
import type { DeclaredTrigger } from "./flowTriggers.ts";

export function createTriggerContext(
  instance: Instance,
  declared: DeclaredTrigger,
  executionId: string,
  state: TriggerState,
  signal: AbortSignal,
) {
  const { flow, trigger } = declared;
  const masker = instance.secretGuard.masker();
  const services = instance.renderServices(flow.namespace, executionId, masker, []);
  const vars = instance.variables({ flow }, false);
  const withExtra = (extra?: Record<string, unknown>) => (extra ? { ...vars, ...extra } : vars);
  const renderValue = (value: unknown, extra?: Record<string, unknown>) =>
    instance.renderer.renderValue(value, withExtra(extra), services);
  const ctx: TriggerContext = {
    flow: {
      id: flow.id,
      namespace: flow.namespace,
      ...(flow.revision !== undefined ? { revision: flow.revision } : {}),
    },
    trigger: { id: trigger.id, type: trigger.type },
    logger: createTaskLogger({ namespace: flow.namespace, flowId: flow.id, triggerId: trigger.id }, masker, (entry) => {
      instance.logs.append([entry]);
      instance.events.emit("log", entry);
    }),
    ...(state.lastDate ? { lastDate: state.lastDate } : {}),
    render: async (template, extra) =>
      String(await instance.renderer.render(template, withExtra(extra), false, services)),
    renderTyped: (template, extra) => instance.renderer.render(template, withExtra(extra), true, services),
    renderValue,
    secret: (key) => services.secret(key),
    signal,
    storage: createTaskStorage(instance.storage, {
      namespace: flow.namespace,
      writePrefix: triggerPrefix(flow.namespace, flow.id, executionId, trigger.id),
      readPrefixes: [executionPrefix(flow.namespace, flow.id, executionId)],
    }),
    kv: (namespace) => createKvStore(instance.kv, instance.config.tenantId, namespace ?? flow.namespace),
    pluginConfiguration: () => instance.pluginConfiguration(trigger.type),
    workingDir: () =>
      (dir ??= mkdir(instance.config.tmpDir, { recursive: true }).then(() =>
        mkdtemp(join(instance.config.tmpDir, "trigger-")),
      )),
  };
  let dir: Promise<string> | undefined;
  /** Removes the working directory the evaluation (or listener) may have made. */
  const cleanup = async () => {
    if (dir) await rm(await dir, { recursive: true, force: true });
  };
  return { ctx, masker, renderValue, cleanup };
}
