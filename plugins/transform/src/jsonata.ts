/**
 * `io.kestra.plugin.transform.jsonata.TransformValue` and `TransformItems`: a JSONata expression
 * applied to one JSON value, or to every record of an Ion file (streamed, written to a new one).
 */
import { defineTask, z } from "@saker/sdk";
import { toIon } from "@saker/sdk/ion";
import { badProperty } from "./errors.ts";
/** jsonata loads with a task's first run, not with the plugin (Saker starts without it). */
const jsonataEval = () => import("./jsonataEval.ts");
import { ionRecords, storeLines } from "./records.ts";

const PREFIX = "io.kestra.plugin.transform.jsonata";
export const DEFAULT_MAX_DEPTH = 1000;

const expression = z
  .string()
  .describe("The JSONata expression to apply (https://jsonata.org); it sees the value, or one record, as its input.");
const maxDepth = z
  .number()
  .int()
  .min(1)
  .default(DEFAULT_MAX_DEPTH)
  .describe(
    "The most nested evaluation levels the expression may reach: what stops a recursive function that never ends. It depends on the expression only, never on the size of the input.",
  );

function checkExpression(text: string): string {
  if (text.trim() === "") throw badProperty("expression", "is empty");
  return text;
}

/** `from` of TransformValue: a JSON text, or a value a YAML map or list already gave. */
function parseFrom(from: unknown): unknown {
  if (typeof from !== "string") return from;
  try {
    return JSON.parse(from);
  } catch (error) {
    const shown = from.length > 80 ? `${from.slice(0, 80)}…` : from;
    throw badProperty("from", `is not valid JSON: ${(error as Error).message} (got '${shown}')`);
  }
}

export const TransformValue = defineTask({
  type: `${PREFIX}.TransformValue`,
  title: "Transform or query a JSON value with JSONata",
  description:
    "Applies a [JSONata](https://jsonata.org) expression to `from`, a JSON text (or a map or list written in the YAML), and returns the result as `value`.",
  examples: [
    {
      title: "Reshape an order",
      code: `id: order\ntype: ${PREFIX}.TransformValue\nfrom: '{"id": "A1", "items": [{"qty": 2, "price": 1.5}, {"qty": 1, "price": 4}]}'\nexpression: '{"order": id, "total": $sum(items.(qty * price))}'`,
    },
  ],
  properties: z.object({
    from: z
      .union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown()), z.number(), z.boolean()])
      .describe("The value to transform: a JSON text, e.g. `{{ outputs.request.body }}`."),
    expression,
    maxDepth,
  }),
  outputs: z.object({ value: z.unknown().describe("The result of the expression (null when it gives nothing).") }),
  async run(props, ctx) {
    const { compileExpression } = await jsonataEval();
    const compiled = compileExpression(checkExpression(props.expression), props.maxDepth, ctx.signal);
    return { value: await compiled.evaluate(parseFrom(props.from)) };
  },
});

export const TransformItems = defineTask({
  type: `${PREFIX}.TransformItems`,
  title: "Transform or query the records of an Ion or JSON file with JSONata",
  description:
    "Applies a [JSONata](https://jsonata.org) expression to every record of an Ion file of internal storage (a JSON file reads as Ion too, one document or one per line) and writes each result as a record of a new Ion file. The file streams through: memory holds one record at a time.",
  examples: [
    {
      title: "Total per order",
      code: `id: totals\ntype: ${PREFIX}.TransformItems\nfrom: "{{ outputs.query.uri }}"\nexpression: '{"order_id": id, "total": $round($sum(lines.(qty * price)), 2)}'`,
    },
  ],
  properties: z.object({
    from: z.string().describe("The `kestra://` URI of the Ion (or JSON) file to transform, one record per value."),
    expression,
    maxDepth,
    explodeArray: z
      .boolean()
      .default(true)
      .describe(
        "When a record's result is an array, write each element as its own record (true) or the array as one record (false).",
      ),
  }),
  outputs: z.object({
    uri: z.string().describe("URI of the Ion file of results on internal storage."),
    processedItemsTotal: z.number().int().describe("The number of records written."),
  }),
  async run(props, ctx) {
    const { compileExpression } = await jsonataEval();
    const compiled = compileExpression(checkExpression(props.expression), props.maxDepth, ctx.signal);
    let written = 0;
    async function* results(): AsyncGenerator<string> {
      let n = 0;
      for await (const record of ionRecords(ctx, "from", props.from)) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        const result = await compiled.evaluate(record, `record ${++n}`);
        const items = props.explodeArray && Array.isArray(result) ? result : [result];
        for (const item of items) {
          written++;
          yield `${toIon(item)}\n`;
        }
      }
    }
    const uri = await storeLines(ctx, "transformed.ion", results());
    return { uri, processedItemsTotal: written };
  },
});
