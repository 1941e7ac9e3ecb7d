/**
 * Kestra's date options of IonToCsv (`dateFormat`, `timeFormat`, `dateTimeFormat`, `timeZoneId`)
 * and IonToJson (`timeZoneId`): the pattern formatter on its own, then real flows converting an
 * Ion file that holds every date-time kind.
 */
import { describe, expect, it } from "vitest";
import { IonTemporal, readIonLines, temporalOf } from "@saker/sdk/ion";
import { errorMessages, outputsOf } from "@saker/engine/testing";
import { TemporalWriter } from "./dates.ts";
import { compilePattern, TemporalParser, timeZone } from "./javaTime.ts";
import { flowWith, ION_TO_CSV, ION_TO_JSON, task, useSerdesInstance } from "../test/support.ts";

const fields = {
  year: 2024,
  month: 3,
  day: 5,
  hour: 14,
  minute: 7,
  second: 9,
  nano: 45_600_000,
  offset: 5 * 3600 + 1800,
};

describe("compilePattern", () => {
  it("prints Java DateTimeFormatter letters, quoted literals and optional sections", () => {
    const f = (p: string, v = fields) => compilePattern(p, "dateTimeFormat").format(v, "x");
    expect(f("yyyy-MM-dd'T'HH:mm:ss.SSS[XXX]")).toBe("2024-03-05T14:07:09.045+05:30");
    expect(f("yy/M/d h:mm a")).toBe("24/3/5 2:07 PM");
    expect(f("EEE, dd MMM yyyy")).toBe("Tue, 05 Mar 2024");
    expect(f("EEEE d MMMM")).toBe("Tuesday 5 March");
    expect(f("HH:mm:ss.SSSSSS xx X Z")).toBe("14:07:09.045600 +0530 +0530 +0530");
    expect(f("HH:mm[ XXX]", { ...fields, offset: 0 })).toBe("14:07 Z");
    expect(f("HH:mm[ xxx]", { ...fields, offset: 0 })).toBe("14:07 +00:00");
    expect(f("HH:mm[ XXX]", { hour: 1, minute: 2 } as never)).toBe("01:02");
    expect(f("'It''s' HH'h'")).toBe("It's 14h");
    expect(f("yyyy[-MM[-dd]]", { year: 2024 } as never)).toBe("2024");
  });

  it("refuses an unknown letter, an unclosed quote or section, naming the property", () => {
    expect(() => compilePattern("yyyy-QQ", "dateFormat")).toThrow(
      "dateFormat: 'yyyy-QQ' is not a date-time pattern: unknown pattern letter 'Q'",
    );
    expect(() => compilePattern("HH 'h", "timeFormat")).toThrow(
      "timeFormat: 'HH 'h' is not a date-time pattern: a quote is not closed",
    );
    expect(() => compilePattern("HH[:mm", "timeFormat")).toThrow("an optional section '[' is not closed");
    expect(() => compilePattern("HH]", "timeFormat")).toThrow("']' closes no optional section");
  });

  it("fails naming the property when a value lacks a field the pattern needs outside [ ]", () => {
    const date = compilePattern("yyyy-MM-dd HH", "dateFormat");
    expect(() => date.format({ year: 2024, month: 1, day: 2 }, "2024-01-02")).toThrow(
      "dateFormat: 'yyyy-MM-dd HH' needs the hour, which '2024-01-02' has not",
    );
  });
});

describe("parsing with the same compiled patterns", () => {
  it("reads fields, optional sections, 12-hour clocks, month names, offsets and zone ids", () => {
    const p = (pattern: string, text: string) => compilePattern(pattern, "datetimeFormat").parse(text);
    expect(p("yyyy-MM-dd'T'HH:mm[:ss][.SSSSSS][XXX]", "2024-01-15T10:20:30.5+02:00")).toEqual({
      year: 2024,
      month: 1,
      day: 15,
      hour: 10,
      minute: 20,
      second: 30,
      nano: 500_000_000,
      offset: 7200,
    });
    expect(p("yyyy-MM-dd'T'HH:mm[:ss][.SSSSSS][XXX]", "2024-01-15T10:20")).toEqual({
      year: 2024,
      month: 1,
      day: 15,
      hour: 10,
      minute: 20,
    });
    expect(p("hh:mm a", "12:05 AM")?.hour).toBe(0);
    expect(p("hh:mm a", "02:05 pm")?.hour).toBe(14);
    expect(p("dd MMM yyyy", "05 Mar 2024")?.month).toBe(3);
    expect(p("yyyy-MM-dd HH:mm VV", "2024-01-15 10:00 Europe/Paris")?.zone).toBe("Europe/Paris");
    expect(p("yyyy-MM-dd", "15/01/2024")).toBeUndefined();
    expect(p("'at' HH'h'", "at 10h")?.hour).toBe(10);
  });

  it("answers in linear time whatever the pattern", () => {
    // twelve digit groups one after the other: a backtracking engine tries each way of splitting
    // 60 digits among them (about 9^12 tries) before it can say no
    const p = compilePattern("nSnSnSnSnSnS", "dateTimeFormat");
    expect(p.parse(`${"1".repeat(60)}x`)).toBeUndefined();
    expect(p.parse("123456789012")).toBeDefined();
  });

  it("gives exact values in the task's zone, DST gaps and overlaps resolved as Java does", () => {
    const ny = new TemporalParser(
      { dateFormat: "dd/MM/yyyy", timeFormat: "HH:mm", datetimeFormat: "yyyy-MM-dd HH:mm" },
      timeZone("America/New_York"),
    );
    const ms = (text: string, local = false) => Number(ny.epochMicros(text, local)! / 1000n);
    expect(ms("2024-01-15 10:20")).toBe(Date.UTC(2024, 0, 15, 15, 20));
    expect(ms("2024-07-15 10:20")).toBe(Date.UTC(2024, 6, 15, 14, 20));
    // 02:30 does not exist on 2024-03-10 in New York: Java moves it an hour forward (03:30 EDT).
    expect(ms("2024-03-10 02:30")).toBe(Date.UTC(2024, 2, 10, 7, 30));
    // 01:30 happens twice on 2024-11-03: Java takes the earlier (EDT).
    expect(ms("2024-11-03 01:30")).toBe(Date.UTC(2024, 10, 3, 5, 30));
    // ISO text keeps its offset; a local date-time with an offset is that instant's wall time in the zone.
    expect(ms("2024-07-15T10:20:30Z")).toBe(Date.UTC(2024, 6, 15, 10, 20, 30));
    expect(ms("2024-07-15T10:20:30Z", true)).toBe(Date.UTC(2024, 6, 15, 6, 20, 30));
    expect(ms("2024-07-15T10:20:30.000-00:00", true)).toBe(Date.UTC(2024, 6, 15, 10, 20, 30));
    expect(ny.epochDays("29/02/2024")).toBe(Date.UTC(2024, 1, 29) / 86_400_000);
    expect(ny.epochDays("30/02/2024")).toBeUndefined();
    expect(ny.epochDays("0001-01-01")).toBe(-719_162);
    expect(ny.timeMicros("13:14")).toBe((13 * 60 + 14) * 60_000_000);
    expect(ny.timeMicros("25:00")).toBeUndefined();
  });
});

describe("time zones", () => {
  it("reads IANA ids through Intl (with daylight saving) and fixed offsets", () => {
    const paris = timeZone("Europe/Paris");
    expect(paris.offsetAt(Date.UTC(2024, 0, 15))).toBe(3600);
    expect(paris.offsetAt(Date.UTC(2024, 6, 15))).toBe(7200);
    expect(timeZone("UTC").offsetAt(0)).toBe(0);
    expect(timeZone("+05:30").offsetAt(0)).toBe(19800);
    expect(timeZone("UTC-3").offsetAt(0)).toBe(-10800);
  });

  it("an unknown time zone fails naming timeZoneId", () => {
    expect(() => timeZone("Mars/Olympus")).toThrow("timeZoneId: unknown time zone 'Mars/Olympus'");
  });
});

describe("TemporalWriter (Kestra's IonToCsv rules)", () => {
  const writer = new TemporalWriter({
    dateFormat: "yyyy-MM-dd",
    timeFormat: "HH:mm:ss[XXX]",
    dateTimeFormat: "yyyy-MM-dd'T'HH:mm:ss.SSS[XXX]",
    timeZoneId: "Asia/Tokyo",
  });
  const t = (kind: ConstructorParameters<typeof IonTemporal>[0], text: string) =>
    writer.write(new IonTemporal(kind, text));

  it("writes each kind with its pattern: zoned ones in timeZoneId, instants and local date-times at UTC", () => {
    expect(t("LocalDate", "2024-01-15")).toBe("2024-01-15");
    expect(t("LocalTime", "10:15:30")).toBe("10:15:30");
    expect(t("OffsetTime", "10:15:30+01:00")).toBe("10:15:30+01:00");
    expect(t("LocalDateTime", "2024-01-15T10:15:30.5")).toBe("2024-01-15T10:15:30.500");
    expect(t("Instant", "2024-01-15T10:15:30+02:00")).toBe("2024-01-15T08:15:30.000Z");
    expect(t("ZonedDateTime", "2024-01-15T23:15:30.123+01:00[Europe/Paris]")).toBe("2024-01-16T07:15:30.123+09:00");
    expect(t("OffsetDateTime", "2024-01-15T10:15:30Z")).toBe("2024-01-15T19:15:30.000+09:00");
    expect(t("LocalDateTime", "not a date")).toBe("not a date");
  });
});

describe("IonToCsv and IonToJson on real flows", () => {
  const { test, stored } = useSerdesInstance();

  const ion = [
    `{day:2024-01-15,at:2024-01-15T10:15:30Z,local:LocalDateTime::"2024-01-15T10:15:30",zoned:ZonedDateTime::"2024-01-15T10:15:30+01:00[Europe/Paris]",t:LocalTime::"08:00:00",ot:OffsetTime::"08:00:00-05:00",s:"2024-01-15"}`,
    // a symbol value makes the line go through ion-js rather than the fast reader
    `{day:2024-02-29,at:2024-02-29T23:59:59.999Z,local:LocalDateTime::"2024-02-29T00:00:00",zoned:ZonedDateTime::"2024-02-29T12:00:00Z[UTC]",t:LocalTime::"23:59:59",ot:OffsetTime::"00:00:00Z",s:sym_value}`,
  ].join("\n");

  it("reads every date-time kind with its type, through the fast reader and ion-js", async () => {
    const rows: Record<string, unknown>[] = [];
    for await (const row of readIonLines([ion], { tagged: true })) rows.push(row as Record<string, unknown>);
    expect(rows.map((r) => Object.values(r).map((v) => temporalOf(v)?.kind ?? typeof v))).toEqual([
      ["LocalDate", "Instant", "LocalDateTime", "ZonedDateTime", "LocalTime", "OffsetTime", "string"],
      ["LocalDate", "Instant", "LocalDateTime", "ZonedDateTime", "LocalTime", "OffsetTime", "string"],
    ]);
    const plain: unknown[] = [];
    for await (const row of readIonLines([ion])) plain.push(row);
    expect((plain[0] as Record<string, unknown>).zoned).toBe("2024-01-15T10:15:30+01:00[Europe/Paris]");
  });

  it("IonToCsv applies dateFormat, timeFormat, dateTimeFormat and timeZoneId", async () => {
    const ex = await test.run(
      flowWith(
        "csv_dates",
        ion,
        ".ion",
        task("defaults", ION_TO_CSV, `from: "{{ outputs.src.uri }}"\ntimeZoneId: UTC`) +
          task(
            "custom",
            ION_TO_CSV,
            `from: "{{ outputs.src.uri }}"
dateFormat: "dd/MM/yyyy"
timeFormat: "h:mm a[ xxx]"
dateTimeFormat: "EEE d MMM yyyy HH:mm[ VV]"
timeZoneId: America/New_York`,
          ),
      ),
    );
    expect(ex.state.current, errorMessages(test, ex, "custom").join()).toBe("SUCCESS");
    expect(await stored(ex, "defaults")).toBe(
      [
        "day,at,local,zoned,t,ot,s",
        "2024-01-15,2024-01-15T10:15:30.000Z,2024-01-15T10:15:30.000,2024-01-15T09:15:30.000Z,08:00:00,08:00:00-05:00,2024-01-15",
        "2024-02-29,2024-02-29T23:59:59.999Z,2024-02-29T00:00:00.000,2024-02-29T12:00:00.000Z,23:59:59,00:00:00Z,sym_value",
        "",
      ].join("\n"),
    );
    expect(await stored(ex, "custom")).toBe(
      [
        "day,at,local,zoned,t,ot,s",
        "15/01/2024,Mon 15 Jan 2024 10:15 Z,Mon 15 Jan 2024 10:15,Mon 15 Jan 2024 04:15 America/New_York,8:00 AM,8:00 AM -05:00,2024-01-15",
        "29/02/2024,Thu 29 Feb 2024 23:59 Z,Thu 29 Feb 2024 00:00,Thu 29 Feb 2024 07:00 America/New_York,11:59 PM,12:00 AM +00:00,sym_value",
        "",
      ].join("\n"),
    );
  });

  it("IonToJson writes zoned date-times in timeZoneId, other kinds as stored", async () => {
    const ex = await test.run(
      flowWith(
        "json_dates",
        ion,
        ".ion",
        task("json", ION_TO_JSON, `from: "{{ outputs.src.uri }}"\ntimeZoneId: "+02:00"`),
      ),
    );
    expect(ex.state.current, errorMessages(test, ex, "json").join()).toBe("SUCCESS");
    const rows = (await stored(ex, "json"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows[0]).toEqual({
      day: "2024-01-15",
      at: "2024-01-15T10:15:30Z",
      local: "2024-01-15T10:15:30",
      zoned: "2024-01-15T11:15:30+02:00",
      t: "08:00:00",
      ot: "08:00:00-05:00",
      s: "2024-01-15",
    });
    expect(rows[1]!.zoned).toBe("2024-02-29T14:00:00+02:00");
  });

  it("an unknown time zone or pattern letter fails naming the property, and stores nothing", async () => {
    for (const type of [ION_TO_CSV, ION_TO_JSON]) {
      const ex = await test.run(
        flowWith(
          "bad_zone",
          ion,
          ".ion",
          task("conv", type, `from: "{{ outputs.src.uri }}"\ntimeZoneId: Nowhere/Land`),
        ),
      );
      expect(ex.state.current).toBe("FAILED");
      expect(errorMessages(test, ex, "conv").join("\n")).toContain("timeZoneId: unknown time zone 'Nowhere/Land'");
      expect((outputsOf(ex, "conv") as Record<string, unknown> | null)?.uri).toBeUndefined();
    }
    const letter = await test.run(
      flowWith(
        "bad_letter",
        ion,
        ".ion",
        task("csv", ION_TO_CSV, `from: "{{ outputs.src.uri }}"\ndateFormat: "yyyy-MM-dd QQ"`),
      ),
    );
    expect(letter.state.current).toBe("FAILED");
    expect(errorMessages(test, letter, "csv").join("\n")).toContain(
      "dateFormat: 'yyyy-MM-dd QQ' is not a date-time pattern: unknown pattern letter 'Q'",
    );
    expect((outputsOf(letter, "csv") as Record<string, unknown> | null)?.uri).toBeUndefined();
  });
});
