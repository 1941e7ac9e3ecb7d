/**
 * ExcelToIon and IonToExcel in real flows: Ion → xlsx → Ion round trips, workbooks written
 * independently by exceljs (formulas, dates, formats), and files that are not (good) xlsx.
 */
import { crc32, deflateRawSync, createDeflateRaw } from "node:zlib";
import ExcelJS from "exceljs";
import * as ion from "ion-js";
import { describe, expect, it } from "vitest";
import { errorMessages, outputsOf, storedText, taskRun } from "@saker/engine/testing";
import { EXCEL_TO_ION, flowOf, flowWith, ION_TO_EXCEL, task, useSerdesInstance } from "../test/support.ts";
import { excelNumberFormat, formatExcelDate, formatExcelNumber } from "./excelFormat.ts";
import { MAX_SHEET_ROWS, writeSheet } from "./excel.ts";

const { test, storedBytes, namespaceFile, filesOf } = useSerdesInstance();
const ionValues = (text: string) => JSON.parse(JSON.stringify(ion.loadAll(text))) as unknown;

const ORDERS = [
  '{id:1,name:"Ann",amount:12.5e0,paid:true,day:2024-01-31,at:2024-02-01T10:15:30.250Z,local:LocalDateTime::"2024-03-04T05:06:07",note:null,total:"Formula:C2*2"}',
  '{id:2,name:"Bo, \\"B\\"",amount:-3,paid:false,day:2023-12-01,at:2024-02-01T23:30:00.000+02:00,local:LocalDateTime::"2024-03-04T00:00:00",note:"x",total:"Formula:C3*2"}',
].join("\n");

describe("IonToExcel and ExcelToIon", () => {
  it("round trips typed values through a two-sheet workbook", async () => {
    await namespaceFile("orders.ion", Buffer.from(`${ORDERS}\n`));
    const ex = await test.run(
      flowWith(
        "excel_round",
        '{tag:"a",n:[1,2],price:19.90}\n{tag:"b",n:[],price:1.5d2}\n',
        ".ion",
        task(
          "xlsx",
          ION_TO_EXCEL,
          'from:\n  Orders: kestra:///company/serdes/_files/orders.ion\n  Tags: "{{ outputs.src.uri }}"\ntimeZoneId: Europe/Paris\ndateFormat: dd/MM/yyyy',
        ) + task("back", EXCEL_TO_ION, 'from: "{{ outputs.xlsx.uri }}"'),
      ),
    );
    expect(
      ex.state.current,
      errorMessages(test, ex, "xlsx")
        .concat(errorMessages(test, ex, "back"))
        .join(),
    ).toBe("SUCCESS");
    expect(outputsOf(ex, "xlsx")).toMatchObject({ size: 4 });
    expect(outputsOf(ex, "xlsx").uri).toMatch(/\.xlsx$/);

    // The xlsx as exceljs (not streaming) reads it: typed cells, date formats from the Java patterns.
    const book = new ExcelJS.Workbook();
    await book.xlsx.load((await storedBytes(outputsOf(ex, "xlsx").uri as string)) as unknown as ArrayBuffer);
    expect(book.worksheets.map((w) => w.name)).toEqual(["Orders", "Tags"]);
    const orders = book.getWorksheet("Orders")!;
    expect(orders.getRow(1).values).toEqual([
      undefined,
      "id",
      "name",
      "amount",
      "paid",
      "day",
      "at",
      "local",
      "note",
      "total",
    ]);
    expect(orders.getCell("A2").value).toBe(1);
    expect(orders.getCell("C2").value).toBe(12.5);
    expect(orders.getCell("D2").value).toBe(true);
    expect(orders.getCell("E2").value).toEqual(new Date("2024-01-31T00:00:00Z"));
    expect(orders.getCell("E2").numFmt).toBe("dd/mm/yyyy");
    // 10:15:30.250 UTC is 11:15:30.250 in Paris, written as wall time.
    expect((orders.getCell("F2").value as Date).toISOString()).toBe("2024-02-01T11:15:30.250Z");
    expect(orders.getCell("F2").numFmt).toBe('yyyy-mm-dd"T"hh:mm:ss.000');
    expect(orders.getCell("G2").value).toEqual(new Date("2024-03-04T05:06:07Z"));
    expect(orders.getCell("H2").value).toBeNull();
    expect(orders.getCell("I2").value).toEqual({ formula: "C2*2" });
    expect(orders.getCell("B3").value).toBe('Bo, "B"');
    // 23:30 at +02:00 is 21:30 UTC, 22:30 in Paris.
    expect((orders.getCell("F3").value as Date).toISOString()).toBe("2024-02-01T22:30:00.000Z");
    expect(book.getWorksheet("Tags")!.getCell("B2").value).toBe("[1,2]");
    // Ion decimals are numbers, as Kestra writes BigDecimals.
    expect(book.getWorksheet("Tags")!.getCell("C2").value).toBe(19.9);
    expect(book.getWorksheet("Tags")!.getCell("C3").value).toBe(150);

    // And back to Ion, one file per sheet.
    const back = outputsOf(ex, "back");
    expect(back.size).toBe(4);
    const uris = back.uris as Record<string, string>;
    expect(Object.keys(uris).sort()).toEqual(["Orders", "Tags"]);
    const rows = ionValues(await storedText(test, uris.Orders!)) as Record<string, unknown>[];
    expect(rows).toHaveLength(2);
    expect(rows[0]).toEqual({
      id: 1,
      name: "Ann",
      amount: 12.5,
      paid: true,
      day: "2024-01-31T00:00:00.000Z",
      at: "2024-02-01T11:15:30.250Z",
      local: "2024-03-04T05:06:07.000Z",
      note: null,
      total: null, // a formula exceljs wrote without a cached result
    });
    expect(rows[1]).toMatchObject({ id: 2, name: 'Bo, "B"', amount: -3, paid: false, note: "x" });
    expect(ionValues(await storedText(test, uris.Tags!))).toEqual([
      { tag: "a", n: "[1,2]", price: 19.9 },
      { tag: "b", n: "[]", price: 150 },
    ]);
    // The timestamps in the Ion file are Ion timestamps, not strings.
    const first = ion.load((await storedText(test, uris.Orders!)).split("\n")[0]!)!;
    expect(first.get("day")!.getType()).toBe(ion.IonTypes.TIMESTAMP);
  });

  it("writes lists and scalars as rows, no header, no styles, one sheet title", async () => {
    await namespaceFile("lists.ion", Buffer.from('["a",1,null,true]\n"alone"\n{k:2024-05-06}\n'));
    const ex = await test.run(
      flowOf(
        "excel_lists",
        task(
          "xlsx",
          ION_TO_EXCEL,
          "from: kestra:///company/serdes/_files/lists.ion\nsheetsTitle: Data\nheader: false\nstyles: false",
        ) + task("back", EXCEL_TO_ION, 'from: "{{ outputs.xlsx.uri }}"\nheader: false\ndateTimeRender: SERIAL_NUMBER'),
      ),
    );
    expect(ex.state.current, errorMessages(test, ex, "xlsx").join()).toBe("SUCCESS");
    const uris = outputsOf(ex, "back").uris as Record<string, string>;
    // Without styles a date is its serial number and nothing marks it as a date.
    expect(ionValues(await storedText(test, uris.Data!))).toEqual([["a", 1, null, true], ["alone"], [45418]]);
  });

  it("writes the header in the Ion file's field order when fields are named like numbers (2023)", async () => {
    await namespaceFile("years.ion", Buffer.from(`{region:"north",'2023':5,'2022':3}\n`));
    const ex = await test.run(
      flowOf(
        "excel_years",
        task(
          "xlsx",
          ION_TO_EXCEL,
          "from: kestra:///company/serdes/_files/years.ion\nsheetsTitle: Data\nstyles: false",
        ) + task("back", EXCEL_TO_ION, 'from: "{{ outputs.xlsx.uri }}"\nheader: false'),
      ),
    );
    expect(ex.state.current, errorMessages(test, ex, "xlsx").join()).toBe("SUCCESS");
    const uris = outputsOf(ex, "back").uris as Record<string, string>;
    expect(ionValues(await storedText(test, uris.Data!))).toEqual([
      ["region", "2023", "2022"],
      ["north", 5, 3],
    ]);
  });
});

/** A workbook written by exceljs (not streaming, shared strings): a title row, formulas, dates, formats, gaps. */
async function independentWorkbook(): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sales = book.addWorksheet("Sales");
  sales.getCell("A1").value = "Quarterly sales";
  sales.addRow([]);
  sales.getRow(3).values = ["region", "units", "price", "total", "when", "ok"];
  sales.getRow(4).values = ["North", 3, 2.5, { formula: "B4*C4", result: 7.5 }, new Date("2024-04-01T00:00:00Z"), true];
  sales.getRow(5).values = [
    "South",
    1234.5,
    0.125,
    { formula: "B5*C5", result: 154.3125 },
    new Date("2024-04-02T13:45:00Z"),
    false,
  ];
  // Row 6 is absent, row 7 holds values again.
  sales.getRow(7).values = ["West", null, null, { formula: 'IF(B7="","none","some")', result: "none" }];
  for (const r of [4, 5]) {
    sales.getCell(`C${r}`).numFmt = "0.00";
    sales.getCell(`E${r}`).numFmt = "dd/mm/yyyy hh:mm";
  }
  sales.getCell("B5").numFmt = "#,##0.0";
  sales.getCell("D4").numFmt = "0.0%";
  const other = book.addWorksheet("Other");
  other.addRow(["k", "v"]);
  other.addRow(["a", 1]);
  return Buffer.from(await book.xlsx.writeBuffer());
}

describe("ExcelToIon of a workbook written elsewhere", () => {
  it("reads cached formula results, dates, skipRows, gaps and the sheet selection", async () => {
    await namespaceFile("sales.xlsx", await independentWorkbook());
    const ex = await test.run(
      flowOf(
        "excel_read",
        task(
          "plain",
          EXCEL_TO_ION,
          "from: kestra:///company/serdes/_files/sales.xlsx\nsheetsTitle: [Sales]\nskipRows: 2",
        ) +
          task(
            "skip",
            EXCEL_TO_ION,
            "from: kestra:///company/serdes/_files/sales.xlsx\nsheetsTitle: [Sales]\nskipRows: 2\nskipEmptyRows: true",
          ),
      ),
    );
    expect(ex.state.current, errorMessages(test, ex, "plain").join()).toBe("SUCCESS");
    const plain = outputsOf(ex, "plain");
    expect(Object.keys(plain.uris as object)).toEqual(["Sales"]);
    expect(plain.size).toBe(4);
    expect(ionValues(await storedText(test, (plain.uris as Record<string, string>).Sales!))).toEqual([
      { region: "North", units: 3, price: 2.5, total: 7.5, when: "2024-04-01T00:00:00.000Z", ok: true },
      { region: "South", units: 1234.5, price: 0.125, total: 154.3125, when: "2024-04-02T13:45:00.000Z", ok: false },
      { region: null, units: null, price: null, total: null, when: null, ok: null },
      { region: "West", units: null, price: null, total: "none", when: null, ok: null },
    ]);
    const skip = outputsOf(ex, "skip");
    expect(skip.size).toBe(3);
    expect(
      (ionValues(await storedText(test, (skip.uris as Record<string, string>).Sales!)) as { region: string }[]).map(
        (r) => r.region,
      ),
    ).toEqual(["North", "South", "West"]);
  });

  it("valueRender FORMATTED_VALUE and FORMULA, dateTimeRender FORMATTED_STRING and SERIAL_NUMBER", async () => {
    await namespaceFile("sales2.xlsx", await independentWorkbook());
    const from =
      "from: kestra:///company/serdes/_files/sales2.xlsx\nsheetsTitle: [Sales]\nskipRows: 2\nskipEmptyRows: true";
    const ex = await test.run(
      flowOf(
        "excel_renders",
        task("formatted", EXCEL_TO_ION, `${from}\nvalueRender: FORMATTED_VALUE`) +
          task("formula", EXCEL_TO_ION, `${from}\nvalueRender: FORMULA\ndateTimeRender: SERIAL_NUMBER`) +
          task("text", EXCEL_TO_ION, `${from}\ndateTimeRender: FORMATTED_STRING`),
      ),
    );
    expect(ex.state.current, ["formatted", "formula", "text"].flatMap((id) => errorMessages(test, ex, id)).join()).toBe(
      "SUCCESS",
    );
    const read = async (id: string) =>
      ionValues(await storedText(test, (outputsOf(ex, id).uris as Record<string, string>).Sales!)) as Record<
        string,
        unknown
      >[];
    const formatted = await read("formatted");
    expect(formatted[0]).toEqual({
      region: "North",
      units: "3",
      price: "2.50",
      total: "750.0%",
      when: "01/04/2024 00:00",
      ok: "TRUE",
    });
    expect(formatted[1]).toMatchObject({ units: "1,234.5", price: "0.13", when: "02/04/2024 13:45" });
    const formula = await read("formula");
    expect(formula[0]).toMatchObject({ total: "=B4*C4", when: 45383 });
    expect(formula[1]!.when).toBeCloseTo(45384 + (13 * 60 + 45) / 1440, 8);
    expect(formula[2]).toMatchObject({ total: '=IF(B7="","none","some")' });
    const text = await read("text");
    expect(text[0]).toMatchObject({ units: 3, when: "01/04/2024 00:00" });
  });

  it("header: false gives lists, the title row included", async () => {
    await namespaceFile("sales3.xlsx", await independentWorkbook());
    const ex = await test.run(
      flowOf(
        "excel_nohead",
        task(
          "rows",
          EXCEL_TO_ION,
          "from: kestra:///company/serdes/_files/sales3.xlsx\nheader: false\nsheetsTitle: [Other, Sales]\nskipEmptyRows: true",
        ),
      ),
    );
    expect(ex.state.current, errorMessages(test, ex, "rows").join()).toBe("SUCCESS");
    const uris = outputsOf(ex, "rows").uris as Record<string, string>;
    expect(ionValues(await storedText(test, uris.Other!))).toEqual([
      ["k", "v"],
      ["a", 1],
    ]);
    const sales = ionValues(await storedText(test, uris.Sales!)) as unknown[][];
    expect(sales[0]).toEqual(["Quarterly sales"]);
    expect(sales[1]).toEqual(["region", "units", "price", "total", "when", "ok"]);
    expect(sales).toHaveLength(5);
  });
});

/** A zip of `entries` (deflated), written by hand so that its parts can be anything. */
function zip(entries: { name: string; data: Buffer; size?: number; crc?: number }[]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const deflated = e.size === undefined ? deflateRawSync(e.data) : e.data;
    const size = e.size ?? e.data.length;
    const crc = e.crc ?? crc32(e.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(deflated.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const dir = Buffer.alloc(46);
    dir.writeUInt32LE(0x02014b50, 0);
    dir.writeUInt16LE(20, 4);
    dir.writeUInt16LE(20, 6);
    dir.writeUInt16LE(8, 10);
    dir.writeUInt32LE(crc, 16);
    dir.writeUInt32LE(deflated.length, 20);
    dir.writeUInt32LE(size, 24);
    dir.writeUInt16LE(name.length, 28);
    dir.writeUInt32LE(offset, 42);
    locals.push(local, name, deflated);
    central.push(dir, name);
    offset += 30 + name.length + deflated.length;
  }
  const dirBytes = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(dirBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dirBytes, end]);
}

const WORKBOOK_PARTS = [
  {
    name: "xl/workbook.xml",
    data: Buffer.from(
      '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Bomb" sheetId="1" r:id="rId1"/></sheets></workbook>',
    ),
  },
  {
    name: "xl/_rels/workbook.xml.rels",
    data: Buffer.from(
      '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
    ),
  },
];
const SHEET = {
  name: "xl/worksheets/sheet1.xml",
  data: Buffer.from(
    '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>',
  ),
};

/** Shared strings of `count` strings of 1 KiB, deflated as they are produced (never whole in memory). */
async function bombStrings(count: number): Promise<{ data: Buffer; size: number; crc: number }> {
  const deflate = createDeflateRaw({ level: 9 });
  const out: Buffer[] = [];
  deflate.on("data", (c: Buffer) => out.push(c));
  const chunk = Buffer.from(`<si><t>${"a".repeat(1024)}</t></si>`.repeat(1024));
  const head = Buffer.from(
    '<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">',
  );
  const tail = Buffer.from("</sst>");
  let crc = crc32(head);
  let size = head.length;
  deflate.write(head);
  for (let i = 0; i < count / 1024; i++) {
    crc = crc32(chunk, crc);
    size += chunk.length;
    if (!deflate.write(chunk)) await new Promise((r) => deflate.once("drain", r));
  }
  crc = crc32(tail, crc);
  size += tail.length;
  deflate.end(tail);
  await new Promise((r) => deflate.once("end", r));
  return { data: Buffer.concat(out), size, crc };
}

describe("bad input", () => {
  const failsClearly = async (id: string, from: string, props: string, message: RegExp) => {
    const ex = await test.run(flowOf(id, task("read", EXCEL_TO_ION, `from: ${from}\n${props}`)));
    expect(ex.state.current).toBe("FAILED");
    expect(errorMessages(test, ex, "read").join("\n")).toMatch(message);
    expect(taskRun(ex, "read").outputs ?? {}).not.toHaveProperty("uris");
    // Nothing of the failed conversion is left in storage.
    expect(filesOf(ex.id)).toEqual([]);
    return ex;
  };

  it("a file that is not an xlsx fails clearly", async () => {
    const uri = await namespaceFile("not.xlsx", Buffer.from("id,name\n1,Ann\n"));
    await failsClearly("excel_not", uri, "", /not\.xlsx' is not a readable xlsx file: it is not a zip archive/);
  });

  it("a truncated xlsx fails clearly", async () => {
    const whole = await independentWorkbook();
    const uri = await namespaceFile("cut.xlsx", whole.subarray(0, Math.floor(whole.length * 0.6)));
    await failsClearly("excel_cut", uri, "", /is not a readable xlsx file: it ends in the middle of its zip archive/);
  });

  it("an unknown sheet title fails clearly, listing the sheets", async () => {
    const uri = await namespaceFile("titles.xlsx", await independentWorkbook());
    await failsClearly(
      "excel_title",
      uri,
      "sheetsTitle: [Sales, Nope]",
      /sheetsTitle: no sheet 'Nope' .*'Sales', 'Other'/,
    );
  });

  it("shared strings inflating hundreds of times are refused as a zip bomb, memory staying low", async () => {
    const strings = await bombStrings(128 * 1024); // 128 MiB of XML
    expect(strings.data.length).toBeLessThan(512 * 1024);
    const uri = await namespaceFile(
      "bomb.xlsx",
      zip([...WORKBOOK_PARTS, { name: "xl/sharedStrings.xml", ...strings }, SHEET]),
    );
    const before = process.memoryUsage().rss;
    await failsClearly(
      "excel_bomb",
      uri,
      "",
      /shared strings part of the workbook inflates to more than .* refused as a zip bomb/,
    );
    expect(process.memoryUsage().rss - before).toBeLessThan(150 * 1024 * 1024);
  });

  it("a small well-formed hand-made workbook reads (the bomb test's parts are valid)", async () => {
    const uri = await namespaceFile(
      "small.xlsx",
      zip([
        ...WORKBOOK_PARTS,
        {
          name: "xl/sharedStrings.xml",
          data: Buffer.from('<?xml version="1.0"?><sst><si><t>hello</t></si></sst>'),
        },
        SHEET,
      ]),
    );
    const ex = await test.run(flowOf("excel_small", task("read", EXCEL_TO_ION, `from: ${uri}\nheader: false`)));
    expect(ex.state.current, errorMessages(test, ex, "read").join()).toBe("SUCCESS");
    expect(ionValues(await storedText(test, (outputsOf(ex, "read").uris as Record<string, string>).Bomb!))).toEqual([
      ["hello"],
    ]);
  });

  it("IonToExcel: invalid Ion, a bad sheet title, an unknown zone and a too long text fail clearly, storing nothing", async () => {
    const cases: [string, string, string, RegExp][] = [
      ["bad_ion", "{a:1}\n{a:\n", "", /invalid Ion at line 2/],
      ["bad_title", "{a:1}\n", "sheetsTitle: 'a/b'", /'a\/b' cannot be a sheet title/],
      ["bad_zone", "{a:1}\n", "timeZoneId: Mars/Olympus", /unknown timeZoneId 'Mars\/Olympus'/],
      ["long_text", `{a:"${"x".repeat(40_000)}"}\n`, "", /line 1, column 1: a text of 40000 characters/],
    ];
    for (const [id, content, props, message] of cases) {
      const ex = await test.run(
        flowWith(`excel_${id}`, content, ".ion", task("xlsx", ION_TO_EXCEL, `from: "{{ outputs.src.uri }}"\n${props}`)),
      );
      expect(ex.state.current, id).toBe("FAILED");
      expect(errorMessages(test, ex, "xlsx").join("\n")).toMatch(message);
      expect(filesOf(ex.id).filter((f) => f.endsWith(".xlsx"))).toEqual([]);
    }
  });
});

describe("ExcelToIon whatever the order of the zip's entries", () => {
  const STRINGS = {
    name: "xl/sharedStrings.xml",
    data: Buffer.from('<?xml version="1.0"?><sst><si><t>hello</t></si></sst>'),
  };
  const [WORKBOOK, RELS] = WORKBOOK_PARTS as [{ name: string; data: Buffer }, { name: string; data: Buffer }];
  const orders: [string, { name: string; data: Buffer }[]][] = [
    // Excel's own order: the shared strings after the sheets.
    ["strings_last", [WORKBOOK, RELS, SHEET, STRINGS]],
    // The workbook (sheet titles) after the sheet, and directly after it.
    ["workbook_last", [STRINGS, RELS, SHEET, WORKBOOK]],
    ["rels_last", [WORKBOOK, STRINGS, SHEET, RELS]],
    ["sheet_first", [SHEET, WORKBOOK, STRINGS, RELS]],
  ];
  for (const [id, entries] of orders) {
    it(`reads the sheet's title and its shared string (${entries.map((e) => e.name.split("/").pop()).join(", ")})`, async () => {
      const uri = await namespaceFile(`${id}.xlsx`, zip(entries));
      const ex = await test.run(flowOf(`excel_${id}`, task("read", EXCEL_TO_ION, `from: ${uri}\nheader: false`)));
      expect(ex.state.current, errorMessages(test, ex, "read").join()).toBe("SUCCESS");
      const uris = outputsOf(ex, "read").uris as Record<string, string>;
      expect(Object.keys(uris)).toEqual(["Bomb"]);
      expect(ionValues(await storedText(test, uris.Bomb!))).toEqual([["hello"]]);
    });
  }

  it("a part whose data does not match its declared size fails clearly", async () => {
    const lying = {
      ...STRINGS,
      size: STRINGS.data.length + 10,
      crc: crc32(STRINGS.data),
      data: deflateRawSync(STRINGS.data),
    };
    const uri = await namespaceFile("lying.xlsx", zip([...WORKBOOK_PARTS, lying, SHEET]));
    const ex = await test.run(flowOf("excel_lying", task("read", EXCEL_TO_ION, `from: ${uri}`)));
    expect(ex.state.current).toBe("FAILED");
    expect(errorMessages(test, ex, "read").join("\n")).toMatch(/lying\.xlsx' is not a readable xlsx file: .*bytes/);
  });
});

describe("the xlsx row limit", () => {
  it("a sheet of more than 1,048,576 rows fails clearly (not a broken file)", async () => {
    // A sheet that only counts (the real writer takes a minute for a million rows); the limit is checked before writing.
    let committed = 0;
    const cell = { value: null as unknown, numFmt: "" };
    const sheet = { getRow: () => ({ getCell: () => cell, commit: () => committed++ }), commit: () => undefined };
    const workbook = { addWorksheet: () => sheet } as unknown as Parameters<typeof writeSheet>[0];
    const options = { header: true, styles: true, zone: "Etc/UTC", dateFmt: "", timeFmt: "", dateTimeFmt: "" };
    async function* rows(n: number) {
      for (let i = 0; i < n; i++) yield { i };
    }
    // The header row plus 1,048,575 rows fill the sheet exactly.
    expect(await writeSheet(workbook, "Full", rows(MAX_SHEET_ROWS - 1), options, "full.ion")).toBe(MAX_SHEET_ROWS - 1);
    expect(committed).toBe(MAX_SHEET_ROWS);
    const error = await writeSheet(workbook, "Over", rows(MAX_SHEET_ROWS), options, "over.ion").catch(
      (e: unknown) => e,
    );
    expect((error as Error).message).toMatch(
      /'over\.ion' has more rows than the 1,048,576 an xlsx sheet holds \(sheet 'Over', Ion line 1048576\)/,
    );
  });
});

describe("formats", () => {
  it("turns Java patterns into Excel number formats", () => {
    expect(excelNumberFormat("yyyy-MM-dd")).toBe("yyyy-mm-dd");
    expect(excelNumberFormat("yyyy-MM-dd'T'HH:mm:ss.SSS[XXX]")).toBe('yyyy-mm-dd"T"hh:mm:ss.000');
    expect(excelNumberFormat("HH:mm:ss[XXX]")).toBe("hh:mm:ss");
    expect(excelNumberFormat("dd MMM yyyy h:mm a")).toBe("dd mmm yyyy h:mm AM/PM");
    expect(excelNumberFormat("EEEE d/M/yy")).toBe("dddd d/m/yy");
  });

  it("renders Excel formats", () => {
    const d = new Date("2024-07-09T15:04:05.678Z");
    expect(formatExcelDate(d, "yyyy-mm-dd hh:mm:ss.000")).toBe("2024-07-09 15:04:05.678");
    expect(formatExcelDate(d, 'd mmm yy "at" h:mm AM/PM')).toBe("9 Jul 24 at 3:04 PM");
    expect(formatExcelDate(d, "[$-409]dddd, mmmm d")).toBe("Tuesday, July 9");
    expect(formatExcelNumber(1234567.891, "#,##0.00")).toBe("1,234,567.89");
    expect(formatExcelNumber(0.256, "0%")).toBe("26%");
    expect(formatExcelNumber(2, "General")).toBe("2");
  });
});
