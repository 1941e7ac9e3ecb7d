/**
 * The serdes tasks run in real flows: a file written to storage, converted, converted back, and
 * the stored bytes checked (Ion parsed back with ion-js, the reference for the format).
 */
import * as ion from "ion-js";
import { describe, expect, it } from "vitest";
import { errorMessages, outputsOf, taskRun, logMessages } from "@saker/engine/testing";
import {
  CSV_TO_ION,
  flowWith,
  ION_TO_CSV,
  ION_TO_JSON,
  JSON_TO_ION,
  task,
  useSerdesInstance,
} from "../test/support.ts";

const { test, stored, storedBytes, filesOf } = useSerdesInstance();
const ionValues = (text: string) => JSON.parse(JSON.stringify(ion.loadAll(text)));
/** A flow storing `csv` then converting it with CsvToIon (task `ion`) and these YAML option lines. */
const csvToIon = (id: string, csv: string, options = "") =>
  test.run(
    flowWith(id, csv, ".csv", task("ion", CSV_TO_ION, `from: "{{ outputs.src.uri }}"${options && `\n${options}`}`)),
  );

describe("CsvToIon and IonToCsv", () => {
  it("converts CSV with a header to Ion structs and back, quotes and commas included", async () => {
    const csv = 'id,name,note\n1,Ann,"a, b"\n2,"Bo ""B""",\n';
    const ex = await test.run(
      flowWith(
        "csv_round",
        csv,
        ".csv",
        task("ion", CSV_TO_ION, 'from: "{{ outputs.src.uri }}"') +
          task("back", ION_TO_CSV, 'from: "{{ outputs.ion.uri }}"'),
      ),
    );
    expect(ex.state.current, errorMessages(test, ex, "ion").join()).toBe("SUCCESS");
    const ionText = await stored(ex, "ion");
    expect(ionValues(ionText)).toEqual([
      { id: "1", name: "Ann", note: "a, b" },
      { id: "2", name: 'Bo "B"', note: "" },
    ]);
    expect(ionText.trim().split("\n")).toHaveLength(2);
    expect(await stored(ex, "back")).toBe(csv);
    expect(outputsOf(ex, "back").uri).toMatch(/\.csv$/);
  });

  it("keeps the header's column order when columns are named like numbers (2023), to Ion and back", async () => {
    const csv = "region,2023,2022,total\nnorth,5,3,8\n";
    const ex = await test.run(
      flowWith(
        "csv_year_columns",
        csv,
        ".csv",
        task("ion", CSV_TO_ION, 'from: "{{ outputs.src.uri }}"') +
          task("back", ION_TO_CSV, 'from: "{{ outputs.ion.uri }}"') +
          task("json", ION_TO_JSON, 'from: "{{ outputs.ion.uri }}"'),
      ),
    );
    expect(ex.state.current, errorMessages(test, ex, "ion").join()).toBe("SUCCESS");
    expect((await stored(ex, "ion")).trim()).toBe(`{region:"north",'2023':"5",'2022':"3",total:"8"}`);
    expect(await stored(ex, "back")).toBe(csv);
    expect((await stored(ex, "json")).trim()).toBe('{"region":"north","2023":"5","2022":"3","total":"8"}');
  });

  it("applies the options: no header, separator, text delimiter, skipRows, lineDelimiter, alwaysDelimitText", async () => {
    const csv = "junk line\n'a;1';b\nc;d\n";
    const ex = await test.run(
      flowWith(
        "csv_options",
        csv,
        ".csv",
        task(
          "ion",
          CSV_TO_ION,
          'from: "{{ outputs.src.uri }}"\nheader: false\nfieldSeparator: ";"\ntextDelimiter: "\'"\nskipRows: 1',
        ) +
          task(
            "back",
            ION_TO_CSV,
            'from: "{{ outputs.ion.uri }}"\nfieldSeparator: "|"\nlineDelimiter: "\\r\\n"\nalwaysDelimitText: true',
          ),
      ),
    );
    expect(ex.state.current, errorMessages(test, ex, "ion").join()).toBe("SUCCESS");
    expect(ionValues(await stored(ex, "ion"))).toEqual([
      ["a;1", "b"],
      ["c", "d"],
    ]);
    expect(await stored(ex, "back")).toBe('"a;1"|"b"\r\n"c"|"d"\r\n');
  });

  it("writes the fields of the first row as header, null as an empty cell, numbers and nested values as text", async () => {
    const jsonl =
      '{"n":1,"x":1.5,"ok":true,"tags":["a"],"none":null}\n{"n":2,"x":-3,"ok":false,"tags":[],"none":"z"}\n';
    const ex = await test.run(
      flowWith(
        "ion_types_csv",
        jsonl,
        ".jsonl",
        task("ion", JSON_TO_ION, 'from: "{{ outputs.src.uri }}"') +
          task("csv", ION_TO_CSV, 'from: "{{ outputs.ion.uri }}"\nheader: true'),
      ),
    );
    expect(ex.state.current, errorMessages(test, ex, "csv").join()).toBe("SUCCESS");
    expect(await stored(ex, "csv")).toBe('n,x,ok,tags,none\n1,1.5,true,"[""a""]",\n2,-3,false,[],z\n');
  });

  it("quotes by quoteMode: ALWAYS, REQUIRED, NON_NUMERIC (header included), over alwaysDelimitText", async () => {
    const jsonl =
      '{"id":1,"amount":-12.5,"code":"007","note":"a, b","empty":"","none":null,"exp":"1e5","dot":"+."}\n' +
      '{"id":2,"amount":3,"code":"+4","note":"plain","empty":"","none":null,"exp":".","dot":"-"}\n';
    const csvTask = (id: string, options: string) =>
      task(id, ION_TO_CSV, `from: "{{ outputs.ion.uri }}"${options ? `\n${options}` : ""}`);
    const ex = await test.run(
      flowWith(
        "csv_quote_modes",
        jsonl,
        ".jsonl",
        task("ion", JSON_TO_ION, 'from: "{{ outputs.src.uri }}"') +
          csvTask("always", "quoteMode: ALWAYS") +
          csvTask("required", "quoteMode: REQUIRED\nalwaysDelimitText: true") +
          csvTask("non_numeric", "quoteMode: NON_NUMERIC") +
          csvTask("unset", ""),
      ),
    );
    expect(ex.state.current, errorMessages(test, ex, "non_numeric").join()).toBe("SUCCESS");
    expect(await stored(ex, "always")).toBe(
      '"id","amount","code","note","empty","none","exp","dot"\n' +
        '"1","-12.5","007","a, b","","","1e5","+."\n"2","3","+4","plain","","",".","-"\n',
    );
    const required = 'id,amount,code,note,empty,none,exp,dot\n1,-12.5,007,"a, b",,,1e5,+.\n2,3,+4,plain,,,.,-\n';
    expect(await stored(ex, "required")).toBe(required);
    expect(await stored(ex, "unset")).toBe(required);
    // NON_NUMERIC looks at the text written, whatever the value's type, as Kestra's writer does: a
    // sign then digits and at most one '.', so the strings "007", "+4", "." and "+." are numbers;
    // "1e5" and a lone sign are not.
    expect(await stored(ex, "non_numeric")).toBe(
      '"id","amount","code","note","empty","none","exp","dot"\n' +
        '1,-12.5,007,"a, b",,,"1e5",+.\n2,3,+4,"plain",,,.,"-"\n',
    );
  });

  it("refuses an unknown quoteMode, naming the path, the values and the line", async () => {
    const flow = flowWith(
      "csv_bad_quote",
      '{"a":1}\n',
      ".jsonl",
      task("csv", ION_TO_CSV, 'from: "{{ outputs.src.uri }}"\nquoteMode: SOMETIMES'),
    );
    await expect(test.run(flow)).rejects.toMatchObject({
      code: "FLOW_INVALID",
      message: expect.stringMatching(
        /tasks\[1\]\.quoteMode: must be one of ALWAYS, REQUIRED, NON_NUMERIC \(got "SOMETIMES"\) \(line \d+\)/,
      ) as string,
    });
  });

  it("reads and writes other charsets", async () => {
    const ex = await test.run(
      flowWith(
        "csv_charset",
        "name\ncafé\n",
        ".csv",
        task("latin", CSV_TO_ION, 'from: "{{ outputs.src.uri }}"\ncharset: ISO-8859-1') +
          task("utf", CSV_TO_ION, 'from: "{{ outputs.src.uri }}"') +
          task("out", ION_TO_CSV, 'from: "{{ outputs.utf.uri }}"\ncharset: ISO-8859-1'),
      ),
    );
    expect(ex.state.current).toBe("SUCCESS");
    expect(ionValues(await stored(ex, "latin"))).toEqual([{ name: "cafÃ©" }]);
    expect(await storedBytes(outputsOf(ex, "out").uri as string)).toEqual(Buffer.from("name\ncaf\xe9\n", "latin1"));
  });
});

describe("JsonToIon and IonToJson", () => {
  it("converts JSON lines to Ion and back", async () => {
    const jsonl = '{"a":1,"b":"x","c":[1,2],"d":{"e":null}}\n\n{"a":2.5,"b":"y\\n","c":[],"d":{"e":true}}\n';
    const ex = await test.run(
      flowWith(
        "json_round",
        jsonl,
        ".jsonl",
        task("ion", JSON_TO_ION, 'from: "{{ outputs.src.uri }}"') +
          task("back", ION_TO_JSON, 'from: "{{ outputs.ion.uri }}"'),
      ),
    );
    expect(ex.state.current, errorMessages(test, ex, "ion").join()).toBe("SUCCESS");
    expect(await stored(ex, "back")).toBe(jsonl.replace("\n\n", "\n"));
    expect(outputsOf(ex, "back").uri).toMatch(/\.jsonl$/);
  });

  it("keeps the key order of objects keyed like numbers (2023), JSON lines and arrays, to Ion and back", async () => {
    const jsonl = '{"region":"north","2023":5,"2022":{"q":1,"10":2}}\n{"rows":[{"b":1,"0":2}],"a":{"b":1,"10":2}}\n';
    const array = '[{"region":"south","2023":1}]';
    const ex = await test.run(
      flowWith(
        "json_years",
        jsonl,
        ".jsonl",
        task("ion", JSON_TO_ION, 'from: "{{ outputs.src.uri }}"') +
          task("back", ION_TO_JSON, 'from: "{{ outputs.ion.uri }}"') +
          task("arr", "io.kestra.plugin.core.storage.Write", `content: '${array}'\nextension: .json`) +
          task("arrIon", JSON_TO_ION, 'from: "{{ outputs.arr.uri }}"\nnewLine: false'),
      ),
    );
    expect(ex.state.current, errorMessages(test, ex, "ion").join()).toBe("SUCCESS");
    expect((await stored(ex, "ion")).trim().split("\n")).toEqual([
      `{region:"north",'2023':5,'2022':{q:1,'10':2}}`,
      `{rows:[{b:1,'0':2}],a:{b:1,'10':2}}`,
    ]);
    expect(await stored(ex, "back")).toBe(jsonl);
    expect((await stored(ex, "arrIon")).trim()).toBe(`{region:"south",'2023':1}`);
  });

  it("reads a JSON array (newLine: false) element by element and writes one array", async () => {
    const json = ' [ {"s":"a,]\\"b"}, [1,{"k":[2]}], 3 , "t" ]\n';
    const ex = await test.run(
      flowWith(
        "json_array",
        json,
        ".json",
        task("ion", JSON_TO_ION, 'from: "{{ outputs.src.uri }}"\nnewLine: false') +
          task("back", ION_TO_JSON, 'from: "{{ outputs.ion.uri }}"\nnewLine: false'),
      ),
    );
    expect(ex.state.current, errorMessages(test, ex, "ion").join()).toBe("SUCCESS");
    expect((await stored(ex, "ion")).trim().split("\n")).toHaveLength(4);
    expect(JSON.parse(await stored(ex, "back"))).toEqual(JSON.parse(json));
    expect(outputsOf(ex, "back").uri).toMatch(/\.json$/);
  });
});

describe("JsonToIon of one document", () => {
  it("a JSON object (newLine: false) is one Ion line", async () => {
    const ex = await test.run(
      flowWith(
        "json_object",
        '{"a": [1, 2], "b": "x"}',
        ".json",
        task("ion", JSON_TO_ION, 'from: "{{ outputs.src.uri }}"\nnewLine: false'),
      ),
    );
    expect(ex.state.current, errorMessages(test, ex, "ion").join()).toBe("SUCCESS");
    expect(ionValues(await stored(ex, "ion"))).toEqual([{ a: [1, 2], b: "x" }]);
  });
});

describe("bad input", () => {
  it("a CSV line whose quote never closes fails the task, naming the line", async () => {
    const ex = await test.run(
      flowWith("csv_bad", 'a,b\n1,2\n3,"open\n', ".csv", task("ion", CSV_TO_ION, 'from: "{{ outputs.src.uri }}"')),
    );
    expect(ex.state.current).toBe("FAILED");
    expect(taskRun(ex, "ion").outputs ?? {}).not.toHaveProperty("uri");
    expect(errorMessages(test, ex, "ion").join("\n")).toMatch(/invalid CSV .* at line 3/);
    // Only the source file is stored under the execution: nothing of the failed conversion, not even a .part file.
    const files = filesOf(ex.id);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/\.csv$/);
  });

  it("a row of another length than the header is a bad line: ERROR fails naming it, WARN and SKIP skip it", async () => {
    const csv = "a,b\n1,2\n3\n4,5,6\n7,8\n";
    const strict = await csvToIon("csv_count", csv);
    expect(strict.state.current).toBe("FAILED");
    expect(errorMessages(test, strict, "ion").join("\n")).toMatch(
      /line 3 has 1 field\(s\) where the header has 2 \(field count mismatch\)/,
    );
    // errorOnDifferentFieldCount is deprecated in Kestra and no longer used: accepted, changes nothing
    const old = await csvToIon("csv_count_old", csv, "errorOnDifferentFieldCount: false");
    expect(old.state.current).toBe("FAILED");
    for (const mode of ["WARN", "SKIP"]) {
      const lax = await csvToIon(`csv_count_${mode}`, csv, `onBadLines: ${mode}`);
      expect(lax.state.current, errorMessages(test, lax, "ion").join()).toBe("SUCCESS");
      expect(ionValues(await stored(lax, "ion"))).toEqual([
        { a: "1", b: "2" },
        { a: "7", b: "8" },
      ]);
      expect(outputsOf(lax, "ion").size).toBe(2);
      expect(logMessages(test, lax, "ion", "WARN")).toEqual(
        mode === "WARN"
          ? [
              expect.stringMatching(/line 3 has 1 field/),
              expect.stringMatching(/line 4 has 3 field/),
              "2 bad row(s) left out (onBadLines: WARN)",
            ]
          : [],
      );
    }
  });

  it("onBadLines WARN logs the first 100 bad lines and then a total; a row over maxBufferSize is said past them", async () => {
    const csv = "a,b\n" + "1,2\n3\n".repeat(150) + `${"x".repeat(200)},1\n5,6\n`;
    const ex = await csvToIon("csv_warn_cap", csv, "maxBufferSize: 100\nonBadLines: WARN");
    expect(ex.state.current, errorMessages(test, ex, "ion").join()).toBe("SUCCESS");
    expect(outputsOf(ex, "ion").size).toBe(150);
    const warnings = logMessages(test, ex, "ion", "WARN");
    // The parser may find the long row before the rows ahead of it are converted: its warning comes
    // whenever it is found, and is logged even past the first 100.
    const fieldCounts = warnings.filter((w) => / has 1 field\(s\) where the header has 2/.test(w));
    expect(fieldCounts).toHaveLength(100);
    expect(fieldCounts[0]).toBe(
      "Bad line skipped: line 3 has 1 field(s) where the header has 2 (field count mismatch)",
    );
    expect(fieldCounts[99]).toMatch(/^Bad line skipped: line 201 has/);
    expect(warnings.filter((w) => /maxBufferSize.*the rest of the file is not read/.test(w))).toHaveLength(1);
    expect(warnings).toHaveLength(102);
    expect(warnings.at(-1)).toBe(
      "151 bad row(s) left out (onBadLines: WARN); 50 warning(s) past the first 100 not logged",
    );
    const quiet = await csvToIon("csv_skip_quiet", csv, "maxBufferSize: 100\nonBadLines: SKIP");
    expect(outputsOf(quiet, "ion").size).toBe(150);
    expect(logMessages(test, quiet, "ion", "WARN")).toEqual([]);
  });

  it("skipRows skips rows after the header; \\N is null; size and the records metric count the rows", async () => {
    const csv = "id,name\nskipped,1\nskipped,2\n1,\\N\n2,Bo\n";
    const ex = await csvToIon("csv_skip", csv, "skipRows: 2");
    expect(ex.state.current, errorMessages(test, ex, "ion").join()).toBe("SUCCESS");
    expect(ionValues(await stored(ex, "ion"))).toEqual([
      { id: "1", name: null },
      { id: "2", name: "Bo" },
    ]);
    expect(outputsOf(ex, "ion").size).toBe(2);
    expect(test.instance.metrics.byExecution(ex.id).map((m) => [m.taskId, m.name, m.value])).toEqual([
      ["ion", "records", 2],
    ]);
  });

  it("onEmptyHeader: DROP leaves out trailing unnamed columns with a warning, RENAME names them col_<index>", async () => {
    const csv = "a,,b,,\n1,x,2,y,\n";
    const dropped = await csvToIon("csv_drop", csv);
    expect(dropped.state.current, errorMessages(test, dropped, "ion").join()).toBe("SUCCESS");
    // the empty name inside the header stays (Kestra's DROP trims the trailing ones only)
    expect(ionValues(await stored(dropped, "ion"))).toEqual([{ a: "1", "": "x", b: "2" }]);
    expect(logMessages(test, dropped, "ion", "WARN")).toEqual([
      expect.stringContaining("Dropped 2 trailing unnamed header column(s)"),
    ]);
    const renamed = await csvToIon("csv_rename", csv, "onEmptyHeader: RENAME");
    expect(ionValues(await stored(renamed, "ion"))).toEqual([{ a: "1", col_1: "x", b: "2", col_3: "y", col_4: "" }]);
  });

  it('onEmptyHeader: DROP keeps every column of a header of empty names only: one key "", the last field\'s value', async () => {
    // Kestra drops trailing unnamed columns only when some column has a name; here all three are
    // kept, share the key "" and the last value wins, with the warning about colliding names.
    const ex = await csvToIon("csv_all_empty", ",,\n1,2,3\n4,5,6\n");
    expect(ex.state.current, errorMessages(test, ex, "ion").join()).toBe("SUCCESS");
    expect(ionValues(await stored(ex, "ion"))).toEqual([{ "": "3" }, { "": "6" }]);
    expect(logMessages(test, ex, "ion", "WARN")).toEqual([
      expect.stringContaining("The header has 2 duplicate or empty column name(s)"),
    ]);
    // a row must still have the header's three fields
    const short = await csvToIon("csv_all_empty_short", ",,\n1\n");
    expect(short.state.current).toBe("FAILED");
    expect(errorMessages(test, short, "ion").join("\n")).toMatch(/line 2 has 1 field\(s\) where the header has 3/);
    const renamed = await csvToIon("csv_all_empty_rename", ",,\n1,2,3\n", "onEmptyHeader: RENAME");
    expect(ionValues(await stored(renamed, "ion"))).toEqual([{ col_0: "1", col_1: "2", col_2: "3" }]);
  });

  it("a row over maxBufferSize with onBadLines WARN: the rows before it are kept, one warning says the rest is not read", async () => {
    const csv = `a,b\n1,2\n${"x".repeat(200)},1\n3,4\n`.repeat(1) + "5,6\n".repeat(20_000);
    const ex = await csvToIon("csv_buffer_warn", csv, "maxBufferSize: 100\nonBadLines: WARN");
    expect(ex.state.current, errorMessages(test, ex, "ion").join()).toBe("SUCCESS");
    expect(ionValues(await stored(ex, "ion"))).toEqual([{ a: "1", b: "2" }]);
    expect(outputsOf(ex, "ion").size).toBe(1);
    expect(logMessages(test, ex, "ion", "WARN")).toEqual([
      expect.stringMatching(/maxBufferSize.*the rest of the file is not read/),
      "1 bad row(s) left out (onBadLines: WARN)",
    ]);
  });

  it("a field over maxFieldSize is a bad line; allowExtraCharsAfterClosingQuote keeps what follows a quote", async () => {
    const long = await csvToIon("csv_field_size", "a\nshort\nmuch too long\n", "maxFieldSize: 8");
    expect(long.state.current).toBe("FAILED");
    expect(errorMessages(test, long, "ion").join("\n")).toMatch(/line 3: field 1 holds more than maxFieldSize \(8\)/);
    const refused = await csvToIon("csv_quote_extra", 'a,b\n"x"y,1\n');
    expect(refused.state.current).toBe("FAILED");
    expect(errorMessages(test, refused, "ion").join("\n")).toMatch(/invalid CSV .* at line 2: Invalid Closing Quote/);
    const kept = await csvToIon("csv_quote_extra_ok", 'a,b\n"x"y,1\n', "allowExtraCharsAfterClosingQuote: true");
    expect(ionValues(await stored(kept, "ion"))).toEqual([{ a: '"x"y', b: "1" }]);
  });

  it("a charset that cannot be written is a clear error", async () => {
    const ex = await test.run(
      flowWith(
        "csv_charset_w",
        "{a:1}\n",
        ".ion",
        task("csv", ION_TO_CSV, 'from: "{{ outputs.src.uri }}"\ncharset: windows-1252'),
      ),
    );
    expect(ex.state.current).toBe("FAILED");
    expect(errorMessages(test, ex, "csv").join("\n")).toMatch(/charset 'windows-1252' can be read but not written/);
  });

  it("an unknown charset is a clear error", async () => {
    const ex = await test.run(
      flowWith(
        "csv_charset_bad",
        "a\n1\n",
        ".csv",
        task("ion", CSV_TO_ION, 'from: "{{ outputs.src.uri }}"\ncharset: NOPE-42'),
      ),
    );
    expect(ex.state.current).toBe("FAILED");
    expect(errorMessages(test, ex, "ion").join("\n")).toMatch(/unknown charset 'NOPE-42'/);
  });

  it("invalid JSON names the line; a truncated array says so; invalid Ion fails IonToCsv", async () => {
    const lines = await test.run(
      flowWith("json_bad", '{"a":1}\n{"a":\n', ".jsonl", task("ion", JSON_TO_ION, 'from: "{{ outputs.src.uri }}"')),
    );
    expect(lines.state.current).toBe("FAILED");
    expect(errorMessages(test, lines, "ion").join("\n")).toMatch(/invalid JSON .* at line 2/);
    const array = await test.run(
      flowWith(
        "json_cut",
        '[{"a":1},{"a"',
        ".json",
        task("ion", JSON_TO_ION, 'from: "{{ outputs.src.uri }}"\nnewLine: false'),
      ),
    );
    expect(array.state.current).toBe("FAILED");
    expect(errorMessages(test, array, "ion").join("\n")).toMatch(/not closed/);
    const badIon = await test.run(
      flowWith("ion_bad", "{a:1}\n{a:\n", ".ion", task("csv", ION_TO_CSV, 'from: "{{ outputs.src.uri }}"')),
    );
    expect(badIon.state.current).toBe("FAILED");
    expect(errorMessages(test, badIon, "csv").join("\n")).toMatch(/invalid Ion/);
  });
});
