/**
 * JsonToJsonl in real flows, on the cases of Kestra's tests (arrays pretty or compact, JSON Lines,
 * one object, nested values, escapes, empty input, an API answer with nulls) with fixtures of our
 * own, JsonToIon's `size`, bad input, charsets and a 100,000-element array read as it streams.
 */
import { describe, expect, it } from "vitest";
import { errorMessages, logMessages, outputsOf, taskRun } from "@saker/engine/testing";
import { flowWith, JSON_TO_ION, JSON_TO_JSONL, task, useSerdesInstance } from "../test/support.ts";

const { test, stored, storedBytes, namespaceFile } = useSerdesInstance();

async function jsonl(id: string, content: string, options = "") {
  return test.run(
    flowWith(
      id,
      content,
      ".json",
      task("out", JSON_TO_JSONL, `from: "{{ outputs.src.uri }}"${options && `\n${options}`}`),
    ),
  );
}

async function lines(execution: Awaited<ReturnType<typeof jsonl>>): Promise<string[]> {
  expect(execution.state.current, errorMessages(test, execution, "out").join("\n")).toBe("SUCCESS");
  const text = await stored(execution, "out");
  return text === "" ? [] : text.replace(/\n$/, "").split("\n");
}

async function failure(execution: Awaited<ReturnType<typeof jsonl>>): Promise<string> {
  expect(execution.state.current).toBe("FAILED");
  expect(taskRun(execution, "out").outputs ?? {}).not.toHaveProperty("uri");
  return errorMessages(test, execution, "out").join("\n");
}

describe("JsonToJsonl", () => {
  it("writes each element of a pretty-printed array on its own line, compact; size and records count them", async () => {
    const array = `[
      {"sku": "A-1", "label": "Desk lamp", "cost": 24.50},
      {"sku": "A-2", "label": "Chair",     "cost": 89.00},
      {"sku": "A-3", "label": "Shelf",     "cost": 120}
    ]`;
    const ex = await jsonl("jsonl_array", array);
    expect(await lines(ex)).toEqual([
      '{"sku":"A-1","label":"Desk lamp","cost":24.50}',
      '{"sku":"A-2","label":"Chair","cost":89.00}',
      '{"sku":"A-3","label":"Shelf","cost":120}',
    ]);
    expect(outputsOf(ex, "out")).toMatchObject({ size: 3, uri: expect.stringMatching(/\.jsonl$/) });
    expect(test.instance.metrics.byExecution(ex.id).map((m) => [m.taskId, m.name, m.value])).toEqual([
      ["out", "records", 3],
    ]);
  });

  it("a compact array, JSON Lines with blank lines, one multi-line object, nested values and scalars in an array", async () => {
    expect(await lines(await jsonl("jsonl_compact", '[{"n":1},{"n":2}]'))).toEqual(['{"n":1}', '{"n":2}']);
    expect(await lines(await jsonl("jsonl_lines", '{"n":1}\n\n{"n":2}\n\n\n{"n":3}\n'))).toEqual([
      '{"n":1}',
      '{"n":2}',
      '{"n":3}',
    ]);
    const single = '{\n  "id": 7,\n  "meta": {\n    "tags": ["a", "b"],\n    "ok": true\n  }\n}\n';
    expect(await lines(await jsonl("jsonl_single", single))).toEqual(['{"id":7,"meta":{"tags":["a","b"],"ok":true}}']);
    const back = '{"a":1}{"a":2} {"a" : [1, {"b": null}]}';
    expect(await lines(await jsonl("jsonl_back", back))).toEqual(['{"a":1}', '{"a":2}', '{"a":[1,{"b":null}]}']);
    expect(await lines(await jsonl("jsonl_scalars", '[1, "two", null, [3, 4], {"x": "y z"}]'))).toEqual([
      "1",
      '"two"',
      "null",
      "[3,4]",
      '{"x":"y z"}',
    ]);
  });

  it("keeps strings as written (escapes, spaces, brackets) and numbers with all their digits", async () => {
    const json =
      '[{"said": "He said \\"hi\\"", "path": "C:\\\\Users\\\\me", "text": "a [b] {c}, d"},' +
      ' {"big": 12345678901234567890123, "tiny": 1.000000000000000000001, "tab": "x\\ty"}]';
    expect(await lines(await jsonl("jsonl_escapes", json))).toEqual([
      '{"said":"He said \\"hi\\"","path":"C:\\\\Users\\\\me","text":"a [b] {c}, d"}',
      '{"big":12345678901234567890123,"tiny":1.000000000000000000001,"tab":"x\\ty"}',
    ]);
  });

  it("an empty array and an empty file give an empty file", async () => {
    const empty = await jsonl("jsonl_empty_array", "[ ]");
    expect(await lines(empty)).toEqual([]);
    expect(outputsOf(empty, "out").size).toBe(0);
    expect(await lines(await jsonl("jsonl_empty_file", "  \n"))).toEqual([]);
  });

  it("values that are not objects after the first object are left out with a warning, as Kestra skips them", async () => {
    const ex = await jsonl("jsonl_mixed", '{"a":1}\n42\n"text"\n{"a":2}\n');
    expect(await lines(ex)).toEqual(['{"a":1}', '{"a":2}']);
    expect(logMessages(test, ex, "out", "WARN")).toEqual([
      "2 value(s) that are not objects left out after the first object (the first at line 2: 42)",
    ]);
  });

  it("reads a 100,000-element array as it streams, in any charset", async () => {
    const items = Array.from({ length: 100_000 }, (_, n) => `{"id": ${n}, "name": "élément ${n}"}`);
    const uri = await namespaceFile("big.json", Buffer.from(`[\n${items.join(",\n")}\n]\n`, "latin1"));
    const ex = await test.run(
      flowWith("jsonl_big", "x", ".txt", task("out", JSON_TO_JSONL, `from: "${uri}"\ncharset: ISO-8859-1`)),
      {},
      120_000,
    );
    expect(ex.state.current, errorMessages(test, ex, "out").join("\n")).toBe("SUCCESS");
    expect(outputsOf(ex, "out").size).toBe(100_000);
    const text = (await storedBytes(outputsOf(ex, "out").uri as string)).toString("latin1");
    const out = text.trimEnd().split("\n");
    expect(out).toHaveLength(100_000);
    expect(out[99_999]).toBe('{"id":99999,"name":"élément 99999"}');
  });

  it("bad input fails naming the line: not JSON, a scalar, a cut array, a bad element, text after the array", async () => {
    expect(await failure(await jsonl("jsonl_text", "This is not JSON at all"))).toMatch(
      /invalid JSON format in '.*': expected a JSON array or object, found This at line 1/,
    );
    expect(await failure(await jsonl("jsonl_scalar", "\n42\n"))).toMatch(
      /expected a JSON array or object, found 42 at line 2/,
    );
    expect(await failure(await jsonl("jsonl_cut", '[{"a":1},\n{"a":2'))).toMatch(
      /invalid JSON in '.*': the array is not closed \(truncated file\?\)/,
    );
    expect(await failure(await jsonl("jsonl_bad_element", '[{"a":1},\n{"a":nope}]'))).toMatch(
      /invalid JSON in '.*' at line 2: /,
    );
    expect(await failure(await jsonl("jsonl_missing_element", '[{"a":1},,{"a":2}]'))).toMatch(
      /an array element is missing at line 1/,
    );
    expect(await failure(await jsonl("jsonl_after", '[{"a":1}]\n[{"a":2}]'))).toMatch(
      /unexpected text after the array at line 2/,
    );
    expect(await failure(await jsonl("jsonl_open_object", '{"a":1}\n{"a":'))).toMatch(
      /the value at line 2 is not closed/,
    );
  });

  it("a missing file and an unknown charset fail clearly", async () => {
    const missing = await test.run(
      flowWith(
        "jsonl_missing",
        "x",
        ".txt",
        task("out", JSON_TO_JSONL, 'from: "kestra:///company/serdes/_files/none.json"'),
      ),
    );
    expect(await failure(missing)).toMatch(/none\.json/);
    expect(await failure(await jsonl("jsonl_charset", "[]", "charset: NOPE-42"))).toMatch(/unknown charset 'NOPE-42'/);
  });
});

describe("JsonToIon", () => {
  it("outputs size and the records metric, as Kestra's", async () => {
    const ex = await test.run(
      flowWith(
        "json_ion_size",
        '{"a":1}\n{"a":2}\n',
        ".jsonl",
        task("ion", JSON_TO_ION, 'from: "{{ outputs.src.uri }}"'),
      ),
    );
    expect(ex.state.current, errorMessages(test, ex, "ion").join()).toBe("SUCCESS");
    expect(outputsOf(ex, "ion").size).toBe(2);
    expect(test.instance.metrics.byExecution(ex.id).map((m) => [m.taskId, m.name, m.value])).toEqual([
      ["ion", "records", 2],
    ]);
  });

  it("reads an array's elements or one document; a missing element, a trailing comma or a second document fail", async () => {
    const run = (id: string, content: string) =>
      test.run(
        flowWith(id, content, ".json", task("ion", JSON_TO_ION, 'from: "{{ outputs.src.uri }}"\nnewLine: false')),
      );
    const array = await run("json_ion_array", '[\n  {"a": 1},\n  {"a": "x,]"}\n]\n');
    expect(array.state.current, errorMessages(test, array, "ion").join()).toBe("SUCCESS");
    expect(outputsOf(array, "ion").size).toBe(2);
    const one = await run("json_ion_one", '\n{"a": [1, 2]}\n');
    expect(one.state.current, errorMessages(test, one, "ion").join()).toBe("SUCCESS");
    expect(outputsOf(one, "ion").size).toBe(1);
    const bad: [string, string, RegExp][] = [
      ["json_ion_missing", '[{"a":1},,{"a":2}]', /invalid JSON in '.*': an array element is missing at line 1/],
      ["json_ion_trailing", '[{"a":1},\n]', /invalid JSON in '.*': an array element is missing at line 2/],
      ["json_ion_second", '{"a":1}\n{"a":2}', /invalid JSON in '.*': unexpected text after the document at line 2/],
      ["json_ion_after", '[{"a":1}] x', /invalid JSON in '.*': unexpected text after the array at line 1/],
    ];
    for (const [id, content, message] of bad) {
      const ex = await run(id, content);
      expect(ex.state.current).toBe("FAILED");
      expect(errorMessages(test, ex, "ion").join("\n")).toMatch(message);
    }
  });
});
