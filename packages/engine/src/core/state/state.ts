/**
 * The legacy state store (`io.kestra.plugin.core.state.*`, deprecated in Kestra for the KV store
 * but still in use): one JSON object per state name, kept in internal storage where Kestra's
 * legacy state store had it: `/{namespace}[/{flowId}]/states/tasks-states[/{hash(taskrun.value)}]/{name}`.
 */
import { createHash } from "node:crypto";
import { defineTask, NonRetryableError, z, type RunContext } from "@saker/sdk";
import { engineOf } from "../../plugins/engineServices.ts";
import { namespacePath, slugify, toUri } from "../../storage/paths.ts";
import { streamToBuffer } from "../../storage/streams.ts";
import { isDataLimitError, parseJsonData } from "../../model/dataLimits.ts";

const common = {
  name: z.string().default("default").describe("The name of the state."),
  namespace: z
    .boolean()
    .default(false)
    .describe("Share the state across the namespace instead of keeping it per flow."),
  taskrunValue: z
    .boolean()
    .default(true)
    .describe("Keep one state per `taskrun.value` (inside ForEach); false shares it across iterations."),
};

type Scope = { name: string; namespace: boolean; taskrunValue: boolean };

/** Where a state lives in internal storage. */
export function statePath(ctx: RunContext, scope: Scope): string {
  const flow = scope.namespace ? "" : `/${slugify(ctx.flow.id)}`;
  const value = scope.taskrunValue ? ctx.taskRun.value : undefined;
  const hash = value === undefined ? "" : `/${createHash("sha256").update(value).digest("hex").slice(0, 32)}`;
  return `${namespacePath(ctx.flow.namespace)}${flow}/states/tasks-states${hash}/${scope.name}`;
}

async function readState(ctx: RunContext, path: string): Promise<Record<string, unknown> | undefined> {
  const storage = engineOf(ctx).storage;
  if (!(await storage.exists(path))) return undefined;
  const text = (await streamToBuffer(await storage.get(path))).toString("utf8");
  try {
    return parseJsonData(text, `the state '${toUri(path)}'`) as Record<string, unknown>;
  } catch (error) {
    if (isDataLimitError(error)) throw error;
    throw new NonRetryableError(`The state '${toUri(path)}' is not a JSON object`);
  }
}

export const StateSet = defineTask({
  type: "io.kestra.plugin.core.state.Set",
  aliases: ["io.kestra.core.tasks.states.Set"],
  title: "Set values in a state (deprecated: use the KV store)",
  deprecated: true,
  description:
    "Merges `data` into the state: new keys are added, existing keys replaced. Not safe against concurrent executions writing the same state.",
  examples: [
    {
      title: "Remember the last processed file",
      code: 'id: set\ntype: io.kestra.plugin.core.state.Set\ndata:\n  last: "{{ outputs.list.last }}"',
    },
  ],
  properties: z.object({
    ...common,
    data: z.record(z.string(), z.unknown()).default({}).describe("The values to merge into the state."),
  }),
  outputs: z.object({
    count: z.number().describe("How many keys the state holds."),
    key: z.string().describe("The state's storage URI."),
  }),
  async run({ data, ...scope }, ctx) {
    const path = statePath(ctx, scope);
    const merged = { ...((await readState(ctx, path)) ?? {}), ...data };
    await engineOf(ctx).storage.put(path, Buffer.from(JSON.stringify(merged)));
    return { count: Object.keys(merged).length, key: toUri(path) };
  },
});

export const StateGet = defineTask({
  type: "io.kestra.plugin.core.state.Get",
  aliases: ["io.kestra.core.tasks.states.Get"],
  title: "Read a state (deprecated: use the KV store)",
  deprecated: true,
  properties: z.object({
    ...common,
    errorOnMissing: z.boolean().default(false).describe("Fail when the state does not exist."),
  }),
  outputs: z.object({ count: z.number(), data: z.record(z.string(), z.unknown()) }),
  async run({ errorOnMissing, ...scope }, ctx) {
    const path = statePath(ctx, scope);
    const data = await readState(ctx, path);
    if (!data && errorOnMissing) throw new NonRetryableError(`Unable to find the state file '${scope.name}'`);
    return { count: Object.keys(data ?? {}).length, data: data ?? {} };
  },
});

export const StateDelete = defineTask({
  type: "io.kestra.plugin.core.state.Delete",
  aliases: ["io.kestra.core.tasks.states.Delete"],
  title: "Delete a state (deprecated: use the KV store)",
  deprecated: true,
  properties: z.object({
    ...common,
    errorOnMissing: z.boolean().default(false).describe("Fail when the state does not exist."),
  }),
  outputs: z.object({ deleted: z.boolean() }),
  async run({ errorOnMissing, ...scope }, ctx) {
    const deleted = await engineOf(ctx).storage.delete(statePath(ctx, scope));
    if (!deleted && errorOnMissing) throw new NonRetryableError(`Unable to find the state file '${scope.name}'`);
    return { deleted };
  },
});
