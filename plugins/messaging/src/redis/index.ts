/** The Redis family: Kestra's `io.kestra.plugin.redis.*` (list, pubsub, string). */
import type { AnyTaskDefinition, AnyTriggerDefinition } from "@saker/sdk";

export const redisTasks: AnyTaskDefinition[] = [];
export const redisTriggers: AnyTriggerDefinition[] = [];
