/**
 * The YAML tasks in real flows: Kestra's own test inputs (multi-document files, JSON Lines, a list
 * root), YAML 1.1 typing as Kestra's Jackson reader types it, Kestra's output layout, round trips,
 * bad input, charsets and a 100,000-document file read as it streams.
 */
import * as ion from "ion-js";
import { describe, expect, it } from "vitest";
import { errorMessages, outputsOf, taskRun } from "@saker/engine/testing";
import {
  flowWith,
  ION_TO_YAML,
  JSON_TO_YAML,
  task,
  useSerdesInstance,
  YAML_TO_ION,
  YAML_TO_JSON,
} from "../test/support.ts";

const { test, stored, storedBytes, namespaceFile, filesOf } = useSerdesInstance();
const ionValues = (text: string) => JSON.parse(JSON.stringify(ion.loadAll(text))) as unknown[];

/** Runs one conversion of `content` (stored with `extension`) as task `out`, with these YAML option lines. */
async function convert(id: string, content: string, extension: string, type: string, options = "") {
  return test.run(
    flowWith(id, content, extension, task("out", type, `from: "{{ outputs.src.uri }}"${options && `\n${options}`}`)),
  );
}

/** The same from a namespace file (content an expression would touch, or bytes in another charset). */
async function convertFile(id: string, uri: string, type: string, options = "", timeoutMs?: number) {
  return test.run(
    flowWith(id, "x", ".txt", task("out", type, `from: "${uri}"${options && `\n${options}`}`)),
    {},
    timeoutMs,
  );
}

async function succeeded(execution: Awaited<ReturnType<typeof convert>>): Promise<string> {
  expect(execution.state.current, errorMessages(test, execution, "out").join("\n")).toBe("SUCCESS");
  return stored(execution, "out");
}

async function failed(execution: Awaited<ReturnType<typeof convert>>): Promise<string> {
  expect(execution.state.current).toBe("FAILED");
  expect(taskRun(execution, "out").outputs ?? {}).not.toHaveProperty("uri");
  return errorMessages(test, execution, "out").join("\n");
}

describe("YamlToIon", () => {
  it("writes one Ion value per document, as in Kestra's test; size and the records metric count them", async () => {
    const ex = await convert("yaml_docs", "---\na: 1\n---\nb: 2\n", ".yaml", YAML_TO_ION);
    expect(await succeeded(ex)).toBe("{a:1}\n{b:2}\n");
    expect(outputsOf(ex, "out")).toMatchObject({ size: 2, uri: expect.stringMatching(/\.ion$/) });
    expect(test.instance.metrics.byExecution(ex.id).map((m) => [m.taskId, m.name, m.value])).toEqual([
      ["out", "records", 2],
    ]);
  });

  it("types scalars as YAML 1.1 and Kestra's reader do: booleans, octal, hex, floats, nulls; dates stay text", async () => {
    const yaml = [
      "bools: [yes, No, on, OFF, true, y, n]",
      "ints: [010, 0x1f, 0b101, 1_000, -42, +7, 12345678901234567890]",
      "floats: [1.0, 2.5, 1e3, .5, -.inf, .nan, 1_0.5]",
      "nulls: [~, null, NULL, Null]",
      "empty:",
      "text: [2024-01-15, '123', \"yes\", 12:30, 0o17, 09, 1.2.3]",
      "tagged: [!!int '12', !!str 12, !!float 3, !!bool y, !!null x, !custom 7, !!binary aGVsbG8=]",
      "1: numeric key",
      "true: boolean key",
      "multi: |",
      "  line one",
      "  line two",
      "folded: >-",
      "  a",
      "  b",
    ].join("\n");
    const uri = await namespaceFile("types.yaml", yaml);
    const text = await succeeded(await convertFile("yaml_types", uri, YAML_TO_ION));
    expect(text).toBe(
      '{bools:[true,false,true,false,true,"y","n"],' +
        "ints:[8,31,5,1000,-42,7,12345678901234567890]," +
        "floats:[1e0,2.5e0,1000e0,0.5e0,-inf,nan,10.5e0]," +
        "nulls:[null,null,null,null]," +
        "empty:null," +
        'text:["2024-01-15","123","yes","12:30","0o17",9e0,"1.2.3"],' +
        'tagged:[12,"12",3e0,true,null,"7",{{aGVsbG8=}}],' +
        "'1':\"numeric key\"," +
        "'true':\"boolean key\"," +
        'multi:"line one\\nline two\\n",' +
        'folded:"a b"}\n',
    );
    expect(ion.loadAll(text)).toHaveLength(1);
  });

  it("resolves anchors, aliases and merge keys; keeps the field order of numeric names; the last duplicate wins", async () => {
    const yaml =
      "base: &base {host: db, port: 5432}\n" +
      "prod:\n  <<: *base\n  port: 6543\n" +
      "copy: *base\n" +
      "years: {'2023': 5, region: north, '2022': 3}\n" +
      "dup: 1\ndup: 2\n";
    const text = await succeeded(await convert("yaml_alias", yaml, ".yaml", YAML_TO_ION));
    expect(text).toBe(
      '{base:{host:"db",port:5432},prod:{host:"db",port:6543},copy:{host:"db",port:5432},' +
        "years:{'2023':5,region:\"north\",'2022':3},dup:2}\n",
    );
  });

  it("a first document that is a list gives one value per item, as Kestra's reader does; empty documents give none", async () => {
    const ex = await convert("yaml_list", "- {id: 1}\n- {id: 2}\n---\n{id: 3}\n---\n", ".yaml", YAML_TO_ION);
    expect(ionValues(await succeeded(ex))).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
    expect(outputsOf(ex, "out").size).toBe(3);
    const empty = await convert("yaml_empty", "# only a comment\n", ".yaml", YAML_TO_ION);
    expect(await succeeded(empty)).toBe("");
    expect(outputsOf(empty, "out").size).toBe(0);
  });

  it("reads a file in its charset", async () => {
    const uri = await namespaceFile("latin1.yaml", Buffer.from("name: Zoë\ncity: Besançon\n", "latin1"));
    const ex = await convertFile("yaml_latin1", uri, YAML_TO_ION, "charset: ISO-8859-1");
    expect(ionValues(await succeeded(ex))).toEqual([{ name: "Zoë", city: "Besançon" }]);
  });

  it("reads 100,000 documents as they stream", async () => {
    const docs = Array.from({ length: 100_000 }, (_, n) => `---\nid: ${n}\nname: item ${n}\nprice: ${n}.5\n`);
    const uri = await namespaceFile("big.yaml", docs.join(""));
    // the yaml package parses about 70 µs a small document on a loaded 2-core machine: give it time
    const ex = await convertFile("yaml_big", uri, YAML_TO_ION, "", 120_000);
    const text = await succeeded(ex);
    expect(outputsOf(ex, "out").size).toBe(100_000);
    const lines = text.trimEnd().split("\n");
    expect(lines).toHaveLength(100_000);
    expect(lines[99_999]).toBe('{id:99999,name:"item 99999",price:99999.5e0}');
  });
});

describe("bad YAML", () => {
  it("invalid YAML names the line and column; no file is stored", async () => {
    const ex = await convert("yaml_bad", "---\na: 1\n---\nb: [1, 2\nc: 3\n", ".yaml", YAML_TO_ION);
    expect(await failed(ex)).toMatch(/invalid YAML in '.*' at line \d+, column \d+: .*flow sequence/i);
    expect(filesOf(ex.id)).toEqual([expect.stringMatching(/\.yaml$/)]);
    const indent = await convert("yaml_indent", "a:\n  b: 1\n c: 2\n", ".yaml", YAML_TO_JSON);
    expect(await failed(indent)).toMatch(/invalid YAML in '.*' at line 3, column \d+/);
  });

  it("refuses a billion laughs, an alias to its own value, an unknown alias and a bad !!float or !!binary", async () => {
    const laughs = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      laughs.push(`${name}: &${name} [${Array(10).fill(`*${prev}`).join(", ")}]`);
    }
    expect(await failed(await convert("yaml_laughs", laughs.join("\n"), ".yaml", YAML_TO_ION))).toMatch(
      /aliases expand to more than 1000000 values: refused/,
    );
    expect(await failed(await convert("yaml_self", "a: &a [1, *a]\n", ".yaml", YAML_TO_ION))).toMatch(
      /line 1, column \d+: the alias \*a refers to a value that holds it/,
    );
    expect(await failed(await convert("yaml_unknown_alias", "a: 1\nb: *nope\n", ".yaml", YAML_TO_ION))).toMatch(
      /line 2, column \d+: .*nope/,
    );
    expect(await failed(await convert("yaml_bad_float", "a: !!float abc\n", ".yaml", YAML_TO_ION))).toMatch(
      /line 1, column \d+: !!float 'abc' is not a number/,
    );
    expect(await failed(await convert("yaml_bad_binary", "a: !!binary 'no*base64'\n", ".yaml", YAML_TO_ION))).toMatch(
      /!!binary value is not base64/,
    );
  });

  it("a missing file, an unknown charset and a charset that cannot be written fail clearly", async () => {
    const missing = await test.run(
      flowWith(
        "yaml_missing",
        "x",
        ".txt",
        task("out", YAML_TO_ION, 'from: "kestra:///company/serdes/_files/nope.yaml"'),
      ),
    );
    expect(await failed(missing)).toMatch(/nope\.yaml/);
    expect(await failed(await convert("yaml_charset", "a: 1", ".yaml", YAML_TO_ION, "charset: NOPE-42"))).toMatch(
      /unknown charset 'NOPE-42'/,
    );
    expect(
      await failed(await convert("yaml_charset_w", "a: 1", ".yaml", YAML_TO_JSON, "charset: windows-1252")),
    ).toMatch(/charset 'windows-1252' can be read but not written/);
  });
});

describe("YamlToJson", () => {
  const MULTI = "---\na: 1\n---\nb: 2\n";

  it("writes Kestra's outputs: JSON Lines, an array for several documents, a document for one, an array for a list root", async () => {
    const lines = await convert("yaml_jsonl", MULTI, ".yaml", YAML_TO_JSON, "jsonl: true");
    expect(await succeeded(lines)).toBe('{"a":1}\n{"b":2}\n');
    expect(outputsOf(lines, "out")).toMatchObject({ size: 2, uri: expect.stringMatching(/\.jsonl$/) });
    const array = await convert("yaml_json_array", MULTI, ".yaml", YAML_TO_JSON);
    expect(await succeeded(array)).toBe('[{"a":1},{"b":2}]');
    expect(outputsOf(array, "out").uri).toMatch(/\.json$/);
    expect(await succeeded(await convert("yaml_json_single", "a: 1", ".yaml", YAML_TO_JSON))).toBe('{"a":1}');
    expect(await succeeded(await convert("yaml_json_list", "- a\n- b\n", ".yaml", YAML_TO_JSON))).toBe('["a","b"]');
    expect(await succeeded(await convert("yaml_json_none", "", ".yaml", YAML_TO_JSON))).toBe("{}");
  });

  it("writes doubles in Java's form, big integers exactly, binary as base64, and leaves null fields out as Kestra's mapper does", async () => {
    const yaml = "a: 1.0\nb: 1e10\nc: 0.001\nd: 12345678901234567890\ne: ~\nf: [1, ~]\ng: !!binary aGk=\nh: .inf\n";
    expect(await succeeded(await convert("yaml_json_numbers", yaml, ".yaml", YAML_TO_JSON))).toBe(
      '{"a":1.0,"b":1.0E10,"c":0.001,"d":12345678901234567890,"f":[1,null],"g":"aGk=","h":"Infinity"}',
    );
  });
});

describe("IonToYaml and JsonToYaml", () => {
  it("IonToYaml writes several records as documents after ---, one record as a plain document, as Kestra", async () => {
    const multi = await convert("ion_yaml_multi", "{a:1}\n{b:2}\n", ".ion", ION_TO_YAML);
    expect(await succeeded(multi)).toBe("---\na: 1\n\n---\nb: 2\n\n");
    expect(outputsOf(multi, "out")).toMatchObject({ size: 2, uri: expect.stringMatching(/\.yaml$/) });
    expect(await succeeded(await convert("ion_yaml_one", "{a:1}\n", ".ion", ION_TO_YAML))).toBe("a: 1\n\n");
    expect(await succeeded(await convert("ion_yaml_none", "", ".ion", ION_TO_YAML))).toBe("");
  });

  it("IonToYaml quotes what would read back as another type, writes dates and decimals as Kestra's Java types print", async () => {
    const ionText =
      '{s:"yes",n:"123",e:"",t:2024-01-15T10:15:30Z,d:2024-01-15,dec:12.30,' +
      'ldt:LocalDateTime::"2024-01-15T10:15:30",list:[1,"x",{k:null}],m:"two\\nlines",nul:null,sp:" lead",c:"a: b"}\n';
    const uri = await namespaceFile("typed.ion", ionText);
    const text = await succeeded(await convertFile("ion_yaml_types", uri, ION_TO_YAML));
    expect(text).toBe(
      [
        's: "yes"',
        '"n": "123"',
        'e: ""',
        "t: 2024-01-15T10:15:30Z",
        "d: 2024-01-15",
        "dec: 12.30",
        "ldt: 2024-01-15T10:15:30",
        "list:",
        "- 1",
        "- x",
        "- {}",
        "m: |-",
        "  two",
        "  lines",
        'sp: " lead"',
        'c: "a: b"',
        "",
        "",
      ].join("\n"),
    );
  });

  it("JsonToYaml: JSON Lines become documents after ---, one object a plain document, as in Kestra's tests", async () => {
    const lines = await convert("json_yaml_lines", '{"a":1}\n\n{"b":2}\n', ".jsonl", JSON_TO_YAML, "jsonl: true");
    const text = await succeeded(lines);
    expect(text).toContain("---\na: 1");
    expect(text).toContain("---\nb: 2");
    expect(text).toBe("---\na: 1\n\n---\nb: 2\n\n");
    expect(outputsOf(lines, "out").size).toBe(2);
    const single = await succeeded(await convert("json_yaml_single", '{"a":1}', ".json", JSON_TO_YAML));
    expect(single).toBe("a: 1\n");
    const array = await succeeded(await convert("json_yaml_array", '[{"a":1},{"a":2}]', ".json", JSON_TO_YAML));
    expect(array).toBe("---\na: 1\n\n---\na: 2\n\n");
  });

  it("JsonToYaml keeps doubles as doubles (1.0), big integers exactly, leaves null fields out", async () => {
    const json = '{"p":1.0,"q":1e10,"r":0.5,"big":12345678901234567890,"none":null,"list":[null,"on"]}';
    expect(await succeeded(await convert("json_yaml_numbers", json, ".json", JSON_TO_YAML))).toBe(
      'p: 1.0\nq: 1.0E10\nr: 0.5\nbig: 12345678901234567890\nlist:\n- null\n- "on"\n',
    );
  });

  it("round-trips YAML → Ion → YAML → Ion with the same values", async () => {
    const yaml =
      "---\nid: 1\nname: Apple\nprice: 1.2\ntags: [fruit, red]\nnote: |\n  multi\n  line\n---\nid: 2\nname: 'yes'\nprice: 0.9\ntags: []\n";
    const ex = await test.run(
      flowWith(
        "yaml_round",
        yaml,
        ".yaml",
        task("ion", YAML_TO_ION, 'from: "{{ outputs.src.uri }}"') +
          task("yaml", ION_TO_YAML, 'from: "{{ outputs.ion.uri }}"') +
          task("again", YAML_TO_ION, 'from: "{{ outputs.yaml.uri }}"'),
      ),
    );
    expect(ex.state.current, errorMessages(test, ex, "again").join("\n")).toBe("SUCCESS");
    const first = await stored(ex, "ion");
    expect(await stored(ex, "again")).toBe(first);
    expect(ionValues(first)).toEqual([
      { id: 1, name: "Apple", price: 1.2, tags: ["fruit", "red"], note: "multi\nline\n" },
      { id: 2, name: "yes", price: 0.9, tags: [] },
    ]);
  });

  it("writes the output in the charset; bad JSON names the line; invalid Ion fails IonToYaml", async () => {
    const source = await namespaceFile("latin1.json", Buffer.from('{"name":"Zoë"}', "latin1"));
    const latin = await convertFile("json_yaml_latin1", source, JSON_TO_YAML, "charset: ISO-8859-1");
    expect(latin.state.current, errorMessages(test, latin, "out").join()).toBe("SUCCESS");
    expect((await storedBytes(outputsOf(latin, "out").uri as string)).toString("latin1")).toBe("name: Zoë\n");
    const lines = await convert("json_yaml_bad", '{"a":1}\n{"a":\n', ".jsonl", JSON_TO_YAML, "jsonl: true");
    expect(await failed(lines)).toMatch(/invalid JSON in '.*' at line 2/);
    const cut = await convert("json_yaml_cut", '[{"a":1},{"a"', ".json", JSON_TO_YAML);
    expect(await failed(cut)).toMatch(/invalid JSON in '.*': the array is not closed/);
    const badIon = await convert("ion_yaml_bad", "{a:1}\n{a:\n", ".ion", ION_TO_YAML);
    expect(await failed(badIon)).toMatch(/invalid Ion/);
  });
});
