/** The NATS family: Kestra's `io.kestra.plugin.nats.core.*` (and their older `io.kestra.plugin.nats.*` ids). */
import type { AnyTaskDefinition, AnyTriggerDefinition } from "@saker/sdk";
import { Consume, Trigger } from "./consume.ts";
import { Produce } from "./produce.ts";
import { RealtimeTrigger } from "./realtimeTrigger.ts";

export const natsTasks = [Produce, Consume] as unknown as AnyTaskDefinition[];
export const natsTriggers = [Trigger, RealtimeTrigger] as unknown as AnyTriggerDefinition[];
