/**
 * JsonToToon and ToonToJson in real flows, on the cases of Kestra's tests (objects, tables, mixed
 * and nested arrays, quoting, empty arrays and null, Unicode, a table as the first field of a list
 * item, round trips, a large table) with fixtures of our own, Jackson's pretty layout, and bad input.
 */
import { describe, expect, it } from "vitest";
import { errorMessages, outputsOf, taskRun } from "@saker/engine/testing";
import { flowWith, JSON_TO_TOON, task, TOON_TO_JSON, useSerdesInstance } from "../test/support.ts";

const { test, stored, storedBytes, namespaceFile } = useSerdesInstance();

async function run(id: string, content: string, extension: string, type: string, options = "") {
  return test.run(
    flowWith(id, content, extension, task("out", type, `from: "{{ outputs.src.uri }}"${options && `\n${options}`}`)),
  );
}

async function output(execution: Awaited<ReturnType<typeof run>>): Promise<string> {
  expect(execution.state.current, errorMessages(test, execution, "out").join("\n")).toBe("SUCCESS");
  return stored(execution, "out");
}

async function failure(execution: Awaited<ReturnType<typeof run>>): Promise<string> {
  expect(execution.state.current).toBe("FAILED");
  expect(taskRun(execution, "out").outputs ?? {}).not.toHaveProperty("uri");
  return errorMessages(test, execution, "out").join("\n");
}

const toToon = (id: string, json: string) => run(id, json, ".json", JSON_TO_TOON);
const toJson = (id: string, toon: string) => run(id, toon, ".toon", TOON_TO_JSON);

describe("JsonToToon", () => {
  it("writes objects as key: value lines, without a line break at the end; size 1 for an object", async () => {
    const ex = await toToon("toon_object", '{\n  "code": 42,\n  "owner": "Grace",\n  "enabled": false\n}\n');
    expect(await output(ex)).toBe("code: 42\nowner: Grace\nenabled: false");
    expect(outputsOf(ex, "out")).toMatchObject({ size: 1, uri: expect.stringMatching(/\.toon$/) });
    expect(test.instance.metrics.byExecution(ex.id).map((m) => [m.taskId, m.name, m.value])).toEqual([
      ["out", "records", 1],
    ]);
  });

  it("writes uniform objects as a table, mixed arrays as list items, nested objects indented", async () => {
    const tabular = '{"staff": [{"id": 10, "who": "Lin", "on": true}, {"id": 11, "who": "Sam", "on": false}]}';
    expect(await output(await toToon("toon_table", tabular))).toBe(
      "staff[2]{id,who,on}:\n  10,Lin,true\n  11,Sam,false",
    );
    expect(await output(await toToon("toon_mixed", '{"things": [7, {"k": "v"}, "word"]}'))).toBe(
      "things[3]:\n  - 7\n  - k: v\n  - word",
    );
    expect(
      await output(await toToon("toon_nested", '{"db": {"host": "db1", "port": 5432, "roles": ["ro", "rw"]}}')),
    ).toBe("db:\n  host: db1\n  port: 5432\n  roles[2]: ro,rw");
    const first = '{"groups": [{"members": [{"id": 1, "n": "Al"}, {"id": 2, "n": "Bea"}], "state": "open"}]}';
    expect(await output(await toToon("toon_list_table", first))).toBe(
      "groups[1]:\n  - members[2]{id,n}:\n      1,Al\n      2,Bea\n    state: open",
    );
  });

  it("quotes what needs it, keeps empty arrays, null and Unicode; numbers canonical, big ones exact", async () => {
    const json =
      '{"links": [{"id": 1, "to": "ftp://x:y"}, {"id": 2, "to": "a, b"}], "none": [], "gone": null, ' +
      '"hi": "Grüße 🌍", "flags": ["true", "", "-x", "05"], "n": [1.0, 1.50, 1e21, 1e-7, 12345678901234567890]}';
    expect(await output(await toToon("toon_quotes", json))).toBe(
      [
        "links[2]{id,to}:",
        '  1,"ftp://x:y"',
        '  2,"a, b"',
        "none: []", // the reference encoder's form; Kestra's writes none[0]: (both read back as [])
        "gone: null",
        "hi: Grüße 🌍",
        'flags[4]: "true","","-x","05"',
        "n[5]: 1,1.5,1000000000000000000000,0.0000001,12345678901234567890",
      ].join("\n"),
    );
  });

  it("an array root is a list of its items, size its length; a large table streams out", async () => {
    const rows = Array.from({ length: 10_000 }, (_, n) => `{"id": ${n}, "user": "U${n}", "ok": true}`);
    const uri = await namespaceFile("rows.json", `[\n${rows.join(",\n")}\n]`);
    const ex = await test.run(flowWith("toon_large", "x", ".txt", task("out", JSON_TO_TOON, `from: "${uri}"`)));
    const text = await output(ex);
    const lines = text.split("\n");
    expect(lines[0]).toBe("[10000]{id,user,ok}:");
    expect(lines.at(-1)).toBe("  9999,U9999,true");
    expect(outputsOf(ex, "out").size).toBe(10_000);
  });

  it("round-trips JSON → TOON → JSON", async () => {
    const json = {
      groups: [
        { members: [{ id: 1, n: "Al" }], state: "open" },
        {
          members: [
            { id: 3, n: "Cy" },
            { id: 4, n: "Di" },
          ],
          state: "closed",
          tags: ["x"],
        },
      ],
      total: 2.5,
      none: null,
    };
    const ex = await test.run(
      flowWith(
        "toon_round",
        JSON.stringify(json),
        ".json",
        task("toon", JSON_TO_TOON, 'from: "{{ outputs.src.uri }}"') +
          task("back", TOON_TO_JSON, 'from: "{{ outputs.toon.uri }}"'),
      ),
    );
    expect(ex.state.current, errorMessages(test, ex, "back").join("\n")).toBe("SUCCESS");
    expect(JSON.parse(await stored(ex, "back"))).toEqual(json);
  });

  it("bad JSON, an empty file and an unknown charset fail clearly", async () => {
    expect(await failure(await toToon("toon_bad", '{"a": [1, 2}'))).toMatch(/invalid JSON in '.*': /);
    expect(await failure(await toToon("toon_empty", " \n"))).toMatch(/invalid JSON in '.*': the file is empty/);
    expect(await failure(await run("toon_charset", "{}", ".json", JSON_TO_TOON, "charset: NOPE-42"))).toMatch(
      /unknown charset 'NOPE-42'/,
    );
  });
});

describe("ToonToJson", () => {
  it("writes the JSON document as Jackson's pretty printer lays it out", async () => {
    const toon = "a: 1\nb[2]: 1,2\nc:\n  d: x\ne[2]{f}:\n  1\n  2\ng:\nh[0]:\nt: 2.25\n";
    const ex = await toJson("toon_pretty", toon);
    expect(await output(ex)).toBe(
      [
        "{",
        '  "a" : 1,',
        '  "b" : [ 1, 2 ],',
        '  "c" : {',
        '    "d" : "x"',
        "  },",
        '  "e" : [ {',
        '    "f" : 1',
        "  }, {",
        '    "f" : 2',
        "  } ],",
        '  "g" : { },',
        '  "h" : [ ],',
        '  "t" : 2.25',
        "}",
      ].join("\n"),
    );
    // size counts the items of every array, as Kestra's
    expect(outputsOf(ex, "out")).toMatchObject({ size: 4, uri: expect.stringMatching(/\.json$/) });
  });

  it("reads tables, mixed lists, nested objects, quoted values, empty arrays, null and Unicode", async () => {
    const toon =
      'staff[2]{id,who,on}:\n  10,Lin,true\n  11,"Sam, Jr.",false\nthings[3]:\n  - 7\n  - k: v\n  - word\n' +
      "db:\n  roles[2]: ro,rw\nnone[0]:\ngone: null\nhi: Grüße 🌍\n" +
      "groups[1]:\n  - members[2]{id,n}:\n      1,Al\n      2,Bea\n    state: open\n";
    const ex = await toJson("toon_read", toon);
    expect(JSON.parse(await output(ex))).toEqual({
      staff: [
        { id: 10, who: "Lin", on: true },
        { id: 11, who: "Sam, Jr.", on: false },
      ],
      things: [7, { k: "v" }, "word"],
      db: { roles: ["ro", "rw"] },
      none: [],
      gone: null,
      hi: "Grüße 🌍",
      groups: [
        {
          members: [
            { id: 1, n: "Al" },
            { id: 2, n: "Bea" },
          ],
          state: "open",
        },
      ],
    });
    expect(outputsOf(ex, "out").size).toBe(2 + 3 + 2 + 1 + 2);
  });

  it("an empty file is an empty object; a root array and a root scalar are read; the charset applies both ways", async () => {
    expect(await output(await toJson("toon_empty_doc", ""))).toBe("{ }");
    expect(await output(await toJson("toon_root_array", "[2]: a,b\n"))).toBe('[ "a", "b" ]');
    expect(await output(await toJson("toon_root_scalar", "42\n"))).toBe("42");
    const uri = await namespaceFile("latin1.toon", Buffer.from("ville: Besançon\n", "latin1"));
    const ex = await test.run(
      flowWith("toon_latin1", "x", ".txt", task("out", TOON_TO_JSON, `from: "${uri}"\ncharset: ISO-8859-1`)),
    );
    expect(ex.state.current, errorMessages(test, ex, "out").join()).toBe("SUCCESS");
    expect((await storedBytes(outputsOf(ex, "out").uri as string)).toString("latin1")).toBe(
      '{\n  "ville" : "Besançon"\n}',
    );
  });

  it("invalid TOON fails naming the line: a short table, a bad indent, an unclosed quote; no file is stored", async () => {
    expect(await failure(await toJson("toon_short", "rows[3]{a}:\n  1\n  2\n"))).toMatch(
      /invalid TOON in '.*' at line 3: Expected 3 tabular rows, but got 2/,
    );
    expect(await failure(await toJson("toon_indent", "a:\n   b: 1\n"))).toMatch(
      /invalid TOON in '.*' at line 2: Indentation must be exact multiple of 2/,
    );
    expect(await failure(await toJson("toon_quote", 'a: "open\n'))).toMatch(/at line 1: Unterminated string/);
  });
});
