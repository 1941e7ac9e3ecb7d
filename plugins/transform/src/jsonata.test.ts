/**
 * The JSONata tasks in real flows on a real engine: Kestra's examples, values given as JSON text,
 * YAML or a previous task's output, Ion and JSON files (one record per line or a pretty-printed
 * document), a 100,000-record file, and bad inputs failing with errors naming the property.
 */
import { describe, expect, it } from "vitest";
import { outputsOf, taskRun } from "@saker/engine/testing";
import { flowOf, JSONATA_ITEMS, JSONATA_VALUE, task, useTransformInstance } from "../test/support.ts";

const { test, namespaceFile, records, errors } = useTransformInstance();

const RECURSE = "( $f := function($n) { $n = 0 ? 0 : 1 + $f($n - 1) }; $f(N) )";
const recurse = (n: number) => RECURSE.replace("N", String(n));

describe("jsonata.TransformValue", () => {
  it("runs Kestra's example: an order reshaped, its total summed", async () => {
    const ex = await test.run(
      flowOf(
        "jsonata_value",
        task(
          "t",
          JSONATA_VALUE,
          `from: |
  {"order_id": "ABC123", "first_name": "John", "last_name": "Doe",
   "address": {"city": "Paris", "country": "France"},
   "items": [{"product_id": "001", "name": "Apple", "quantity": 5, "price_per_unit": 0.5},
             {"product_id": "002", "name": "Banana", "quantity": 3, "price_per_unit": 0.3},
             {"product_id": "003", "name": "Orange", "quantity": 2, "price_per_unit": 0.4}]}
expression: |
  {
    "order_id": order_id,
    "customer_name": first_name & ' ' & last_name,
    "address": address.city & ', ' & address.country,
    "total_price": $sum(items.(quantity * price_per_unit))
  }`,
        ),
      ),
    );
    expect(ex.state.current, errors(ex, "t")).toBe("SUCCESS");
    const value = outputsOf(ex, "t").value as Record<string, unknown>;
    expect(value).toEqual({
      order_id: "ABC123",
      customer_name: "John Doe",
      address: "Paris, France",
      total_price: expect.closeTo(4.2, 10),
    });
  });

  it("takes a YAML map, a previous task's output, and gives null when the expression selects nothing", async () => {
    const ex = await test.run(
      flowOf(
        "jsonata_sources",
        task("yaml", JSONATA_VALUE, `from:\n  a: [1, 2, 3]\n  b: {c: "x"}\nexpression: '{"sum": $sum(a), "c": b.c}'`) +
          task("chained", JSONATA_VALUE, `from: "{{ outputs.yaml.value }}"\nexpression: "sum * 10"`) +
          task("nothing", JSONATA_VALUE, `from: '{"a": 1}'\nexpression: missing.field`) +
          task("scalar", JSONATA_VALUE, `from: '"text"'\nexpression: "$uppercase($)"`) +
          task("array", JSONATA_VALUE, `from: "[1, 2, 3]"\nexpression: "$[$ > 1]"`),
      ),
    );
    expect(ex.state.current, errors(ex, "chained")).toBe("SUCCESS");
    expect(outputsOf(ex, "yaml").value).toEqual({ sum: 6, c: "x" });
    expect(outputsOf(ex, "chained").value).toBe(60);
    expect(outputsOf(ex, "nothing").value).toBeNull();
    expect(outputsOf(ex, "scalar").value).toBe("TEXT");
    expect(outputsOf(ex, "array").value).toEqual([2, 3]);
  });

  it.each([
    ["invalid JSON in from", `from: "{not json"\nexpression: a`, "property 'from' is not valid JSON: "],
    ["an empty from", `from: ""\nexpression: a`, "property 'from' is not valid JSON: "],
    [
      "a JSONata syntax error",
      `from: "{}"\nexpression: "$sum(a."`,
      `property 'expression' is not a valid JSONata expression: Expected ")" before end of expression (S0203, at position 7)`,
    ],
    ["an empty expression", `from: "{}"\nexpression: "  "`, "property 'expression' is empty"],
    [
      "an evaluation error",
      `from: '{"a": "x"}'\nexpression: "$number(a) + 1"`,
      `the JSONata expression failed: Unable to cast value to a number: "x" (D3030, at position 8)`,
    ],
  ])("fails on %s, saying what to fix", async (_, props, message) => {
    const ex = await test.run(flowOf("jsonata_bad", task("t", JSONATA_VALUE, props)));
    expect(ex.state.current).toBe("FAILED");
    expect(errors(ex, "t")).toContain(message);
  });

  it.each([
    ["a missing expression", `from: "{}"`, "tasks[0].expression: is required"],
    ["a maxDepth below 1", `from: "{}"\nexpression: a\nmaxDepth: 0`, "tasks[0].maxDepth: must be ≥ 1 (got 0)"],
  ])("refuses a flow with %s when it is saved", async (_, props, message) => {
    await expect(test.run(flowOf("jsonata_invalid", task("t", JSONATA_VALUE, props)))).rejects.toThrow(message);
  });

  it("stops a recursion deeper than maxDepth cleanly; a higher maxDepth lets it finish", async () => {
    const ex = await test.run(
      flowOf(
        "jsonata_depth",
        task("shallow", JSONATA_VALUE, `from: "{}"\nexpression: "${recurse(100)}"`) +
          task("tight", JSONATA_VALUE, `from: "{}"\nexpression: "${recurse(100)}"\nmaxDepth: 100\nallowFailure: true`) +
          task("deep", JSONATA_VALUE, `from: "{}"\nexpression: "${recurse(400)}"\nallowFailure: true`) +
          task("raised", JSONATA_VALUE, `from: "{}"\nexpression: "${recurse(400)}"\nmaxDepth: 5000`) +
          task("endless", JSONATA_VALUE, `from: "{}"\nexpression: "${recurse(1_000_000)}"`),
      ),
    );
    expect(outputsOf(ex, "shallow").value).toBe(100);
    expect(taskRun(ex, "tight").state.current).toBe("WARNING");
    expect(errors(ex, "tight")).toContain("the JSONata expression went deeper than maxDepth (100) nested evaluations");
    expect(errors(ex, "deep")).toContain("went deeper than maxDepth (1000) nested evaluations");
    expect(outputsOf(ex, "raised").value).toBe(400);
    expect(taskRun(ex, "endless").state.current).toBe("FAILED");
    expect(errors(ex, "endless")).toContain(
      "went deeper than maxDepth (1000) nested evaluations: check for a recursive function that never ends, or raise maxDepth",
    );
  });

  it("a long evaluation yields to the worker: the task's timeout stops it", async () => {
    const started = Date.now();
    const ex = await test.run(
      flowOf(
        "jsonata_timeout",
        task("t", JSONATA_VALUE, `from: "{}"\nexpression: "$sum([1..5000].($sum([1..1000].($ * 2))))"\ntimeout: PT1S`),
      ),
    );
    expect(ex.state.current).toBe("FAILED");
    expect(errors(ex, "t")).toContain("Timeout after");
    // the whole evaluation takes well over 10 s here; the timeout ended it after about one
    expect(Date.now() - started).toBeLessThan(8000);
  });
});

describe("jsonata.TransformItems", () => {
  it("transforms every record of an Ion file and explodes array results (or not, with explodeArray: false)", async () => {
    const ion = [
      `{id:1,name:"alpha",tags:["a","b"],price:12.50,at:2024-01-02T03:04:05Z}`,
      `{id:2,name:"beta",tags:[],price:3e0,at:2024-02-01}`,
      `{id:3,name:"gamma",tags:["c"],price:1.25d1,note:LocalDate::"2024-03-01"}`,
    ].join("\n");
    const from = await namespaceFile("items.ion", ion);
    const ex = await test.run(
      flowOf(
        "jsonata_items",
        task(
          "shape",
          JSONATA_ITEMS,
          `from: "${from}"\nexpression: '{"id": id, "label": $uppercase(name), "double": price * 2, "at": at, "note": note}'`,
        ) +
          task("explode", JSONATA_ITEMS, `from: "${from}"\nexpression: "tags"`) +
          task("keep", JSONATA_ITEMS, `from: "${from}"\nexpression: "[tags]"\nexplodeArray: false`),
      ),
    );
    expect(ex.state.current, errors(ex, "shape")).toBe("SUCCESS");
    expect(await records(ex, "shape")).toEqual([
      { id: 1, label: "ALPHA", double: 25, at: "2024-01-02T03:04:05Z" },
      { id: 2, label: "BETA", double: 6, at: "2024-02-01" },
      { id: 3, label: "GAMMA", double: 25, note: "2024-03-01" },
    ]);
    expect(outputsOf(ex, "shape").processedItemsTotal).toBe(3);
    expect(outputsOf(ex, "shape").uri).toMatch(/^kestra:\/\/\/company\/transform\/jsonata_items\/executions\/.*\.ion$/);
    // record 2's empty array gives nothing, record 3's single tag is a value, not an array
    expect(await records(ex, "explode")).toEqual(["a", "b", "c"]);
    expect(outputsOf(ex, "explode").processedItemsTotal).toBe(3);
    expect(await records(ex, "keep")).toEqual([["a", "b"], [], ["c"]]);
    expect(outputsOf(ex, "keep").processedItemsTotal).toBe(3);
  });

  it("reads a pretty-printed JSON document as one record, as Kestra's example over a download", async () => {
    const doc = JSON.stringify(
      {
        products: [
          { title: "Phone", brand: "Acme", price: 500, discountPercentage: 10, description: "a 'quoted' { brace" },
          { title: "Laptop", brand: "Globex", price: 1500, discountPercentage: 0, description: "// not a comment" },
        ],
        total: 2,
      },
      null,
      2,
    );
    const from = await namespaceFile("products.json", doc);
    const ex = await test.run(
      flowOf(
        "jsonata_doc",
        task("names", JSONATA_ITEMS, `from: "${from}"\nexpression: "products.(title & ' by ' & brand)"`) +
          task("total", JSONATA_ITEMS, `from: "${from}"\nexpression: "$sum(products.price)"`) +
          task(
            "sum_up",
            JSONATA_ITEMS,
            `from: "${from}"\nexpression: |\n  {\n    "total_products": $count(products),\n    "total_discounted_price": $sum(products.(price-(price*discountPercentage/100)))\n  }`,
          ),
      ),
    );
    expect(ex.state.current, errors(ex, "names")).toBe("SUCCESS");
    expect(await records(ex, "names")).toEqual(["Phone by Acme", "Laptop by Globex"]);
    expect(await records(ex, "total")).toEqual([2000]);
    expect(await records(ex, "sum_up")).toEqual([{ total_products: 2, total_discounted_price: 1950 }]);
  });

  it("reads JSON Lines, and writes null for a record the expression selects nothing from", async () => {
    const from = await namespaceFile("lines.jsonl", '{"a": 1}\n\n{"b": 2}\r\n{"a": 3.5}\n');
    const ex = await test.run(flowOf("jsonata_lines", task("t", JSONATA_ITEMS, `from: "${from}"\nexpression: a`)));
    expect(ex.state.current, errors(ex, "t")).toBe("SUCCESS");
    expect(await records(ex, "t")).toEqual([1, null, 3.5]);
    expect(outputsOf(ex, "t").processedItemsTotal).toBe(3);
  });

  it("streams 100,000 records", async () => {
    const lines: string[] = [];
    for (let i = 0; i < 100_000; i++) lines.push(`{id:${i},name:"user ${i}",score:${i % 100}.5}`);
    const from = await namespaceFile("big.ion", `${lines.join("\n")}\n`);
    const ex = await test.run(
      flowOf("jsonata_big", task("t", JSONATA_ITEMS, `from: "${from}"\nexpression: '{"id": id, "twice": score * 2}'`)),
      {},
      120_000,
    );
    expect(ex.state.current, errors(ex, "t")).toBe("SUCCESS");
    expect(outputsOf(ex, "t").processedItemsTotal).toBe(100_000);
    const out = await records(ex, "t");
    expect(out).toHaveLength(100_000);
    expect(out[0]).toEqual({ id: 0, twice: 1 });
    expect(out[99_999]).toEqual({ id: 99_999, twice: 199 });
  }, 180_000);

  it.each([
    ["a missing file", () => "kestra:///company/transform/_files/nope.ion", "property 'from' cannot be read: "],
    ["a value that is not a URI", () => '{\\"a\\": 1}', "property 'from' must be a kestra:// internal storage URI"],
  ])("fails on %s, naming the property", async (_, uri, message) => {
    const ex = await test.run(flowOf("jsonata_items_bad", task("t", JSONATA_ITEMS, `from: "${uri()}"\nexpression: a`)));
    expect(ex.state.current).toBe("FAILED");
    expect(errors(ex, "t")).toContain(message);
  });

  it("fails on a line that is not Ion or JSON, and names the record an evaluation failed on", async () => {
    const broken = await namespaceFile("broken.ion", '{a:1}\n{a: "unterminated}\n');
    const typed = await namespaceFile("typed.ion", '{a:1}\n{a:"x"}\n');
    const ex = await test.run(
      flowOf(
        "jsonata_items_errors",
        task("broken", JSONATA_ITEMS, `from: "${broken}"\nexpression: a\nallowFailure: true`) +
          task("typed", JSONATA_ITEMS, `from: "${typed}"\nexpression: "$number(a)"\nallowFailure: true`),
      ),
    );
    expect(errors(ex, "broken")).toContain(
      `property 'from' is not an Ion or JSON file ('${broken}'): invalid Ion at line 2`,
    );
    expect(errors(ex, "typed")).toContain(
      'the JSONata expression failed on record 2: Unable to cast value to a number: "x"',
    );
    // nothing half-written is output
    expect(taskRun(ex, "typed").outputs ?? {}).toEqual({});
  });
});
