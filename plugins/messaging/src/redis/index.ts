/** The Redis family: Kestra's `io.kestra.plugin.redis.*` (list, pubsub, string; and their older ids). */
import type { AnyTaskDefinition, AnyTriggerDefinition } from "@saker/sdk";
import { ListPop, ListPush, Trigger } from "./list.ts";
import { RealtimeTrigger } from "./listRealtime.ts";
import { Publish } from "./pubsub.ts";
import { Delete, Get, Increment, Set, Ttl } from "./string.ts";

export const redisTasks = [
  ListPush,
  ListPop,
  Publish,
  Get,
  Set,
  Delete,
  Increment,
  Ttl,
] as unknown as AnyTaskDefinition[];
export const redisTriggers = [Trigger, RealtimeTrigger] as unknown as AnyTriggerDefinition[];
