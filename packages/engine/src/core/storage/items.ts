/**
 * Item-by-item tasks on ION files (one value per line): FilterItems and DeduplicateItems. Each
 * item's fields are variables of the expression rendered for it; kept lines are copied unchanged.
 */
import { Readable } from "node:stream";
import { defineTask, errorMessage, NonRetryableError, raw, z, type RunContext } from "@saker/sdk";
import { fromIonText, isTruthy } from "../../expression/index.ts";
import { lines } from "../../storage/ionLines.ts";
import { storageUri, tempName } from "./common.ts";

interface Item {
  line: string;
  vars: Record<string, unknown>;
}

/** The non-empty lines of an ION file with their parsed fields. */
async function* items(ctx: RunContext, uri: string): AsyncGenerator<Item> {
  let index = 0;
  for await (const line of lines(await ctx.storage.getFile(uri))) {
    index++;
    if (line.trim() === "") continue;
    let value: unknown;
    try {
      value = fromIonText(line);
    } catch (error) {
      throw new NonRetryableError(`Line ${index} of '${uri}' is not an Ion value: ${errorMessage(error)}`);
    }
    if (!value || typeof value !== "object" || Array.isArray(value))
      throw new NonRetryableError(`Line ${index} of '${uri}' is not an object: ${line.slice(0, 80)}`);
    yield { line, vars: value as Record<string, unknown> };
  }
}

/** Stores kept lines as a new `.ion` file while `source` yields them. */
function storeLines(ctx: RunContext, source: AsyncIterable<string>): Promise<string> {
  const bytes = async function* () {
    for await (const line of source) yield Buffer.from(`${line}\n`);
  };
  return ctx.storage.putFile(Readable.from(bytes()), tempName(".ion"));
}

const FILTER_TYPES = ["INCLUDE", "EXCLUDE"] as const;

export const FilterItems = defineTask({
  type: "io.kestra.plugin.core.storage.FilterItems",
  title: "Keep or drop the items of an ION file by an expression",
  description:
    "Renders `filterCondition` for each item, with the item's fields as variables. `filterType: INCLUDE` keeps the items for which it is true, `EXCLUDE` drops them. `errorOrNullBehavior` decides what an item whose expression fails does: FAIL the task, or INCLUDE or EXCLUDE the item.",
  examples: [
    {
      title: "Keep even values",
      code: 'id: filter\ntype: io.kestra.plugin.core.storage.FilterItems\nfrom: "{{ outputs.query.uri }}"\nfilterCondition: "{{ value % 2 == 0 }}"',
    },
  ],
  properties: z.object({
    from: z.string().describe("The kestra:// URI of an ION file."),
    filterCondition: raw(z.string()).describe("An expression rendered per item; its fields are variables."),
    filterType: z
      .enum(FILTER_TYPES)
      .default("INCLUDE")
      .describe("Keep (INCLUDE) or drop (EXCLUDE) the matching items."),
    errorOrNullBehavior: z
      .enum(["FAIL", "INCLUDE", "EXCLUDE"])
      .default("FAIL")
      .describe("What to do with an item whose expression fails."),
  }),
  outputs: z.object({ uri: z.string(), processedItemsTotal: z.number(), droppedItemsTotal: z.number() }),
  async run({ from, filterCondition, filterType, errorOrNullBehavior }, ctx) {
    const uri = storageUri(from, "from");
    let processed = 0;
    let dropped = 0;
    const kept = async function* () {
      for await (const item of items(ctx, uri)) {
        let action: (typeof FILTER_TYPES)[number];
        try {
          const match = isTruthy((await ctx.render(filterCondition, item.vars)).trim());
          action = match ? filterType : filterType === "INCLUDE" ? "EXCLUDE" : "INCLUDE";
        } catch (error) {
          if (errorOrNullBehavior === "FAIL")
            throw new NonRetryableError(
              `Expression \`${filterCondition}\` failed on item \`${item.line}\`: ${errorMessage(error)}`,
            );
          action = errorOrNullBehavior;
        }
        processed++;
        if (action === "INCLUDE") yield item.line;
        else dropped++;
      }
    };
    const stored = await storeLines(ctx, kept());
    return { uri: stored, processedItemsTotal: processed, droppedItemsTotal: dropped };
  },
});

export const DeduplicateItems = defineTask({
  type: "io.kestra.plugin.core.storage.DeduplicateItems",
  title: "Remove duplicate items of an ION file",
  description:
    "Renders `expr` for each item (its fields are variables) as the item's key, and keeps only the last item of each key, in the order of those last items.",
  examples: [
    {
      title: "One row per id",
      code: 'id: dedup\ntype: io.kestra.plugin.core.storage.DeduplicateItems\nfrom: "{{ outputs.query.uri }}"\nexpr: "{{ id }}"',
    },
  ],
  properties: z.object({
    from: z.string().describe("The kestra:// URI of an ION file."),
    expr: raw(z.string()).describe("An expression rendered per item giving its key."),
  }),
  outputs: z.object({
    uri: z.string(),
    numKeys: z.number(),
    processedItemsTotal: z.number(),
    droppedItemsTotal: z.number(),
  }),
  async run({ from, expr }, ctx) {
    const uri = storageUri(from, "from");
    const key = async (item: Item) => {
      try {
        return await ctx.render(expr, item.vars);
      } catch (error) {
        throw new NonRetryableError(`Expression \`${expr}\` failed on item \`${item.line}\`: ${errorMessage(error)}`);
      }
    };
    // First pass: the position of the last item of each key; second pass: copy the lines at
    // those positions, with nothing to parse or render again.
    const last = new Map<string, number>();
    let position = 0;
    for await (const item of items(ctx, uri)) last.set(await key(item), position++);
    const keep = new Set(last.values());
    let processed = 0;
    let dropped = 0;
    const kept = async function* () {
      for await (const line of lines(await ctx.storage.getFile(uri))) {
        if (line.trim() === "") continue;
        if (keep.has(processed)) yield line;
        else dropped++;
        processed++;
      }
    };
    const stored = await storeLines(ctx, kept());
    return { uri: stored, numKeys: last.size, processedItemsTotal: processed, droppedItemsTotal: dropped };
  },
});
