import * as ion from "ion-js";
import { describe, expect, it } from "vitest";
import {
  fieldNamesOf,
  IonAnnotated,
  IonDecimal,
  IonReadError,
  IonTimestamp,
  keepFieldOrder,
  readIonLines,
  temporalOf,
  toIon,
  untag,
} from "./ion.ts";
import { readIonLine, UNSUPPORTED } from "./ionFastRead.ts";

async function readAll(text: string, chunk = 7): Promise<unknown[]> {
  const pieces = Array.from({ length: Math.ceil(text.length / chunk) }, (_, i) =>
    Buffer.from(text.slice(i * chunk, (i + 1) * chunk)),
  );
  const out: unknown[] = [];
  for await (const v of readIonLines(pieces)) out.push(v);
  return out;
}

describe("Ion lines", () => {
  it("writes values ion-js reads back", () => {
    const value = {
      a: 1,
      "b c": 'x\n"y"',
      null: null,
      f: 1.5,
      big: 2n ** 70n,
      ok: true,
      list: [1, [2]],
      d: new Date(0),
    };
    const read = ion.load(toIon(value))!;
    expect(read.get("b c")!.stringValue()).toBe('x\n"y"');
    expect(read.get("big")!.bigIntValue()).toBe(2n ** 70n);
    expect(read.get("f")!.getType()).toBe(ion.IonTypes.FLOAT);
    expect(read.get("d")!.getType()).toBe(ion.IonTypes.TIMESTAMP);
    expect(read.get("null")!.isNull()).toBe(true);
  });

  it("reads the fast subset and the rest (through ion-js) to the same plain values", async () => {
    const text = [
      '{id:1,name:"é \\"q\\"",\'odd key\':2.50,f:1.5e0,t:true,n:null,day:2024-01-31,at:LocalDateTime::"2024-01-01T10:00:00",ts:2024-01-01T10:00:00Z,l:[1,-2,"x"],big:12345678901234567890}',
      "",
      "{b:{{aGk=}},s:sym,nl:null.string,dec:1.5d2}",
      '["a","b"]',
    ].join("\n");
    expect(await readAll(text)).toEqual([
      {
        id: 1,
        name: 'é "q"',
        "odd key": "2.50",
        f: 1.5,
        t: true,
        n: null,
        day: "2024-01-31",
        at: "2024-01-01T10:00:00",
        ts: "2024-01-01T10:00:00Z",
        l: [1, -2, "x"],
        big: 12345678901234567890n,
      },
      { b: Buffer.from("hi"), s: "sym", nl: null, dec: "1.5E+2" },
      ["a", "b"],
    ]);
    expect(readIonLine("{b:{{aGk=}}}")).toBe(UNSUPPORTED);
    expect(readIonLine("{a:1} junk")).toBe(UNSUPPORTED);
  });

  it("with tagged, keeps timestamps and annotations apart from strings, in both readers", async () => {
    const fast =
      '{day:2024-01-31,ts:2024-01-01T10:00:00.000Z,s:"2024-01-31",at:LocalDateTime::"2024-01-01T10:00:00",dec:2.50}';
    const slow = `${fast.slice(0, -1)},b:{{aGk=}}}`; // a blob sends the line to ion-js
    const values: unknown[] = [];
    for await (const v of readIonLines([`${fast}\n${slow}\n`], { tagged: true })) values.push(v);
    for (const row of values as Record<string, unknown>[]) {
      expect(row.day).toEqual(new IonTimestamp("2024-01-31"));
      expect(row.ts).toBeInstanceOf(IonTimestamp);
      expect(String(row.ts)).toMatch(/^2024-01-01T10:00:00\.000Z$/);
      expect(row.s).toBe("2024-01-31");
      expect(row.at).toEqual(new IonAnnotated("LocalDateTime", "2024-01-01T10:00:00"));
      expect(row.dec).toBeInstanceOf(IonDecimal);
      expect(Number(String(row.dec))).toBe(2.5);
    }
    expect(values).toHaveLength(2);
  });

  it("gives a tagged value's Java date-time kind and its plain value, the same in both readers", async () => {
    const fast =
      '{day:2024-01-31,ts:2024-01-01T10:00:00Z,at:LocalDateTime::"2024-01-01T10:00:00",t:LocalTime::"08:00",z:ZonedDateTime::"2024-01-01T10:00+01:00[Europe/Paris]",other:foo::"x",n:LocalDate::12,dec:2.50}';
    const slow = `${fast.slice(0, -1)},b:{{aGk=}}}`; // a blob sends the line to ion-js
    const rows: Record<string, unknown>[] = [];
    for await (const v of readIonLines([`${fast}\n${slow}\n`], { tagged: true }))
      rows.push(v as Record<string, unknown>);
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(Object.entries(row).map(([k, v]) => [k, temporalOf(v)?.kind])).toEqual([
        ["day", "LocalDate"],
        ["ts", "Instant"],
        ["at", "LocalDateTime"],
        ["t", "LocalTime"],
        ["z", "ZonedDateTime"],
        ["other", undefined],
        ["n", undefined],
        ["dec", undefined],
        ...(row.b === undefined ? [] : [["b", undefined]]),
      ]);
      expect(temporalOf(row.z)?.text).toBe("2024-01-01T10:00+01:00[Europe/Paris]");
      const plain = untag(row) as Record<string, unknown>;
      expect(plain.at).toBe("2024-01-01T10:00:00");
      expect(plain.other).toBe("x");
      expect(plain.n).toBe(12);
      expect(plain.day).toBe("2024-01-31");
      expect(Number(plain.dec)).toBe(2.5);
      expect(JSON.parse(JSON.stringify({ at: row.at, day: row.day, other: row.other }))).toEqual({
        at: "2024-01-01T10:00:00",
        day: "2024-01-31",
        other: "x",
      });
    }
    expect(temporalOf("2024-01-31")).toBeUndefined();
  });

  it("keeps the text's field order of structs with integer-like names (JavaScript puts them first), in both readers and back", async () => {
    const fast = '{id:1,"2023":"a",name:"x","2022":"b",id:2}';
    const slow = '{id:1,"2023":"a",name:"x","2022":"b",id:2,b:{{aGk=}}}'; // a blob sends the line to ion-js
    const values: Record<string, unknown>[] = [];
    for await (const v of readIonLines([`${fast}\n${slow}\n`])) values.push(v as Record<string, unknown>);
    expect(Object.keys(values[0]!)).toEqual(["2022", "2023", "id", "name"]); // what a plain object does
    expect(fieldNamesOf(values[0]!)).toEqual(["id", "2023", "name", "2022"]);
    expect(values[0]!.id).toBe(2); // a repeated name keeps its first place and its last value
    expect(fieldNamesOf(values[1]!)).toEqual(["id", "2023", "name", "2022", "b"]);
    expect(toIon(values[0])).toBe(`{id:2,'2023':"a",name:"x",'2022':"b"}`);
    expect(toIon(untag(values[0]))).toBe(`{id:2,'2023':"a",name:"x",'2022':"b"}`);
    // invisible to JSON and to the rest of the code, which sees a plain object
    expect(JSON.stringify(values[0])).toBe('{"2022":"b","2023":"a","id":2,"name":"x"}');
    // no order kept where JavaScript keeps the text's own
    const plain = (await readAll("{a:1,b:2}\n"))[0] as object;
    expect(Object.getOwnPropertySymbols(plain)).toEqual([]);
    expect(toIon(keepFieldOrder({ b: 1, 10: 2 }, ["b", "10"]))).toBe("{b:1,'10':2}");
    // kept twice, or changed since: the order given last, or the record's own keys
    const twice = keepFieldOrder(keepFieldOrder({ b: 1, 10: 2 }, ["b", "10"]), ["10", "b"]);
    expect(fieldNamesOf(twice)).toEqual(["10", "b"]);
    const changed = keepFieldOrder({ b: 1, 10: 2 } as Record<string, number>, ["b", "10"]);
    changed.c = 3;
    expect(toIon(changed)).toBe("{'10':2,b:1,c:3}");
    delete changed.c;
    delete changed.b;
    expect(toIon(changed)).toBe("{'10':2}");
  });

  it("names the line that is not Ion", async () => {
    const error = await readAll('{a:1}\n{a:"open}\n').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IonReadError);
    expect((error as IonReadError).line).toBe(2);
    expect((error as Error).message).toMatch(/invalid Ion at line 2/);
  });
});
