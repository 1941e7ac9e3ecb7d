/** The NATS family: Kestra's `io.kestra.plugin.nats.core.*`, `io.kestra.plugin.nats.kv.*` (and their older `io.kestra.plugin.nats.*` ids). */
import type { AnyTaskDefinition, AnyTriggerDefinition } from "@saker/sdk";
import { Consume, Trigger } from "./consume.ts";
import { CreateBucket, Delete, Get, Put } from "./kv.ts";
import { Produce } from "./produce.ts";
import { RealtimeTrigger } from "./realtimeTrigger.ts";
import { Request } from "./request.ts";

export const natsTasks = [Produce, Consume, Request, CreateBucket, Put, Get, Delete] as unknown as AnyTaskDefinition[];
export const natsTriggers = [Trigger, RealtimeTrigger] as unknown as AnyTriggerDefinition[];
