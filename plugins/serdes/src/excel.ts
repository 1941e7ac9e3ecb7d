/**
 * `io.kestra.plugin.serdes.excel.ExcelToIon` and `IonToExcel`: xlsx ⇄ Ion lines, streamed through
 * internal storage with exceljs's streaming reader and writer (rows are never all in memory); the
 * reader is fed the workbook's parts by yauzl, in the order it needs, from a copy on disk.
 */
import { open, rm, stat } from "node:fs/promises";
import { PassThrough, Readable, Transform, type Writable } from "node:stream";
import type ExcelJS from "exceljs";
import yauzl from "yauzl";
import { defineTask, isSakerError, NonRetryableError, z, type RunContext } from "@saker/sdk";
import {
  fieldNamesOf,
  IonAnnotated,
  IonDecimal,
  IonReadError,
  IonTimestamp,
  readIonLines,
  toIon,
  untag,
} from "@saker/sdk/ion";
import { cellText, isStruct } from "./cells.ts";
import { encodeText } from "./charset.ts";
import {
  checkZone,
  excelNumberFormat,
  formatExcelDate,
  formatExcelNumber,
  isDateFormat,
  wallTime,
} from "./excelFormat.ts";
import { localCopy, storeStream } from "./store.ts";

/** Rows a sheet can hold in the xlsx format (Excel's limit). */
export const MAX_SHEET_ROWS = 1_048_576;
/** Characters a cell can hold (Excel's limit). */
const MAX_CELL_TEXT = 32_767;
/**
 * The parts of a workbook that exceljs reads whole (shared strings, styles, the workbook and its
 * relations) are refused as a zip bomb when they declare or inflate to more than
 * {@link BOMB_RATIO} times the size of the file (past {@link BOMB_GRACE}), or past
 * {@link BOMB_MAX}: this bounds the memory they take. Sheets are streamed row by row and have no such limit.
 */
export const BOMB_RATIO = 100;
export const BOMB_GRACE = 16 * 1024 * 1024;
export const BOMB_MAX = 1024 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// ExcelToIon

const VALUE_RENDERS = ["FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA"] as const;
const DATE_TIME_RENDERS = ["SERIAL_NUMBER", "FORMATTED_STRING", "UNFORMATTED_VALUE"] as const;

/** Entries a workbook may hold (a zip without ZIP64 holds at most 65,535). */
export const MAX_ENTRIES = 65_535;

/**
 * The parts exceljs reads whole, in the order they must be read: the relations and the workbook
 * name the sheets, the shared strings and styles give their cells' text and formats.
 */
const WHOLE_PARTS = new Map([
  ["xl/_rels/workbook.xml.rels", "relations"],
  ["xl/workbook.xml", "workbook"],
  ["xl/sharedStrings.xml", "shared strings"],
  ["xl/styles.xml", "styles"],
]);
/** The worksheets, as exceljs names them: its number says which relation the sheet is. */
const WORKSHEET = /^xl\/worksheets\/sheet(\d+)[.]xml$/;

/** Whether a part read whole inflating to `bytes` from a file of `raw` bytes looks like a zip bomb. */
const bomb = (bytes: number, raw: number) => bytes > BOMB_MAX || (bytes > BOMB_GRACE && bytes > BOMB_RATIO * raw);
const bombError = (part: string, bytes: number, raw: number) =>
  new NonRetryableError(
    `the ${part} part of the workbook inflates to more than ${Math.floor(bytes / 1024 / 1024)} MiB from a ${Math.ceil(raw / 1024)} KiB file: refused as a zip bomb`,
  );

/** A pass-through of a part being inflated that fails when the part looks like a zip bomb. */
function capped(entry: Readable, part: string, raw: number): Readable {
  let seen = 0;
  const guard = new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (bomb(seen, raw)) done(bombError(part, seen, raw));
      else done(null, chunk);
    },
  });
  entry.on("error", (e) => guard.destroy(e));
  return entry.pipe(guard);
}

/** Turns what yauzl says of a file it cannot open into a task error. */
async function unzippable(error: unknown, file: string, from: string): Promise<NonRetryableError> {
  const message = (error as Error)?.message ?? String(error);
  const head = Buffer.alloc(4);
  const fd = await open(file, "r");
  try {
    await fd.read(head, 0, 4, 0);
  } finally {
    await fd.close();
  }
  const why =
    head.readUInt32LE(0) !== 0x04034b50
      ? `it is not a zip archive (${message})`
      : /central directory/i.test(message)
        ? "it ends in the middle of its zip archive (truncated?)"
        : message;
  return new NonRetryableError(`'${from}' is not a readable xlsx file: ${why}`);
}

/** The private steps of exceljs's streaming reader that read one part each. */
interface ReaderSteps {
  _parseRels(entry: Readable): Promise<void>;
  _parseWorkbook(entry: Readable): Promise<void>;
  _parseSharedStrings(entry: Readable): AsyncIterable<unknown>;
  _parseStyles(entry: Readable): Promise<void>;
  _parseWorksheet(iterator: AsyncIterable<Buffer>, sheetNo: string): Iterable<{ value: WorksheetLike }>;
}

/** A workbook open for reading: its sheets, each read as the caller iterates it. */
interface OpenedXlsx {
  reader: ExcelJS.stream.xlsx.WorkbookReader;
  /** The sheets in the order of the file; `skip` closes a sheet the caller does not read. */
  sheets(): AsyncGenerator<{ sheet: WorksheetLike; skip: () => void }>;
  close(): Promise<void>;
}

/** exceljs, loaded on first use: it takes about 300 ms to load, which every start-up would pay otherwise. */
const exceljs = async (): Promise<typeof ExcelJS> => (await import("exceljs")).default;

/**
 * Copies the xlsx to the working directory and opens it by its central directory, then hands
 * its parts to exceljs's streaming reader one by one, in the order it needs them, whatever their
 * order in the file (Excel writes the shared strings after the sheets). exceljs's own zip walk
 * reads entries in file order and, given a sheet before the shared strings or the workbook,
 * spools it and loses entries; its steps are driven here instead. Sheets are streamed row by row.
 */
async function openXlsx(ctx: RunContext, from: string): Promise<OpenedXlsx> {
  let file: string | undefined;
  let zip: yauzl.ZipFile | undefined;
  const open: Readable[] = [];
  const close = async () => {
    for (const stream of open) stream.destroy();
    zip?.close();
    if (file !== undefined) await rm(file, { force: true });
  };
  try {
    const copy = await localCopy(ctx, from, ".xlsx");
    file = copy;
    const raw = (await stat(copy)).size;
    try {
      zip = await yauzl.openPromise(copy, { lazyEntries: true, autoClose: false });
    } catch (error) {
      throw await unzippable(error, copy, from);
    }
    zip.on("error", () => undefined);
    if (zip.entryCount > MAX_ENTRIES)
      throw new NonRetryableError(
        `'${from}' is not a readable xlsx file: it holds ${zip.entryCount} entries, more than ${MAX_ENTRIES}`,
      );
    const whole = new Map<string, yauzl.Entry>();
    const worksheets: { entry: yauzl.Entry; sheetNo: string }[] = [];
    for await (const entry of zip.eachEntry()) {
      const part = WHOLE_PARTS.get(entry.fileName);
      const sheetNo = WORKSHEET.exec(entry.fileName)?.[1];
      if (part !== undefined) {
        // The declared size first; what the part inflates to is counted as it is read.
        if (bomb(entry.uncompressedSize, raw)) throw bombError(part, entry.uncompressedSize, raw);
        whole.set(entry.fileName, entry);
      } else if (sheetNo !== undefined) worksheets.push({ entry, sheetNo });
    }
    const opened = zip;
    const read = async (entry: yauzl.Entry, part?: string): Promise<Readable> => {
      const inflated = await opened.openReadStreamPromise(entry);
      const stream = part === undefined ? inflated : capped(inflated, part, raw);
      open.push(inflated, stream);
      return stream;
    };
    const reader = new (await exceljs()).stream.xlsx.WorkbookReader(Readable.from([]), {
      worksheets: "emit",
      sharedStrings: "cache",
      styles: "cache",
      hyperlinks: "ignore",
      entries: "ignore",
    });
    const steps = reader as unknown as ReaderSteps;
    for (const [name, part] of WHOLE_PARTS) {
      const entry = whole.get(name);
      if (!entry) continue;
      const stream = await read(entry, part);
      if (name === "xl/_rels/workbook.xml.rels") await steps._parseRels(stream);
      else if (name === "xl/workbook.xml") await steps._parseWorkbook(stream);
      else if (name === "xl/styles.xml") await steps._parseStyles(stream);
      else for await (const _ of steps._parseSharedStrings(stream));
      stream.destroy();
    }
    return {
      reader,
      async *sheets() {
        for (const { entry, sheetNo } of worksheets) {
          const stream = await read(entry);
          for (const { value } of steps._parseWorksheet(stream as AsyncIterable<Buffer>, sheetNo))
            yield { sheet: value, skip: () => stream.destroy() };
          stream.destroy();
        }
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

interface WorksheetLike extends AsyncIterable<ExcelJS.Row> {
  id: number | string;
  name?: string;
}

interface ReadOptions {
  valueRender: (typeof VALUE_RENDERS)[number];
  dateTimeRender: (typeof DATE_TIME_RENDERS)[number];
}

/** Excel's serial number of a Date read by exceljs (its UTC fields are the wall time). */
const serial = (d: Date) => d.getTime() / 86_400_000 + 25_569;

/** The value of one cell read by exceljs, as ExcelToIon writes it. */
function cellValue(cell: ExcelJS.Cell, o: ReadOptions): unknown {
  const value = cell.value as unknown;
  if (value === null || value === undefined) return null;
  const numFmt = cell.numFmt;
  const date = (d: Date): unknown =>
    o.dateTimeRender === "SERIAL_NUMBER"
      ? serial(d)
      : o.dateTimeRender === "FORMATTED_STRING" || o.valueRender === "FORMATTED_VALUE"
        ? formatExcelDate(d, numFmt)
        : d;
  const number = (n: number): unknown => {
    if (!Number.isFinite(n)) return null;
    if (isDateFormat(numFmt)) return date(new Date(Math.round((n - 25_569) * 86_400_000)));
    return o.valueRender === "FORMATTED_VALUE" ? formatExcelNumber(n, numFmt) : n;
  };
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : date(value);
  if (typeof value === "number") return number(value);
  if (typeof value === "boolean") return o.valueRender === "FORMATTED_VALUE" ? (value ? "TRUE" : "FALSE") : value;
  if (typeof value === "string") return value;
  if (typeof value === "object") {
    const v = value as Record<string, unknown>;
    if ("formula" in v || "sharedFormula" in v) {
      const formula = typeof v.formula === "string" ? v.formula : "";
      if (o.valueRender === "FORMULA" && formula !== "") return `=${formula}`;
      const result = v.result;
      if (typeof result === "number") return number(result);
      if (result instanceof Date) return date(result);
      return result ?? null;
    }
    if (Array.isArray(v.richText)) return (v.richText as { text?: string }[]).map((r) => r.text ?? "").join("");
    if ("error" in v) return null;
    if ("text" in v) return typeof v.text === "string" ? v.text : cellText(v.text);
    if ("sharedString" in v) return null;
  }
  return cellText(value);
}

const isEmpty = (values: unknown[]) => values.every((v) => v === null || v === "");

/** The Ion lines of one sheet: structs keyed by the header row, or lists without a header. */
async function* sheetLines(
  sheet: WorksheetLike,
  p: { header: boolean; skipEmptyRows: boolean; skipRows: number },
  o: ReadOptions,
  count: () => void,
): AsyncGenerator<string> {
  let columns: string[] | undefined;
  let lastRow = p.skipRows;
  const emptyLine = () => (p.header ? toIon(Object.fromEntries(columns!.map((c) => [c, null]))) : "[]");
  for await (const row of sheet) {
    if (row.number <= p.skipRows) continue;
    const values: unknown[] = [];
    const width = p.header && columns ? columns.length : row.cellCount;
    for (let c = 1; c <= width; c++) values.push(cellValue(row.getCell(c), o));
    if (!columns && p.header) {
      // The first row (empty or not) names the columns; an empty name becomes `ColumnN`.
      columns = values.map((v, i) =>
        v === null || v === "" ? `Column${i}` : v instanceof Date ? v.toISOString() : String(v),
      );
      lastRow = row.number;
      continue;
    }
    if (!p.skipEmptyRows) {
      // Rows absent from the sheet between two rows are empty rows.
      for (let gap = lastRow + 1; gap < row.number; gap++) {
        if (p.header || gap > p.skipRows) {
          count();
          yield `${emptyLine()}\n`;
        }
      }
    }
    lastRow = row.number;
    if (p.skipEmptyRows && isEmpty(values)) continue;
    count();
    if (!p.header) {
      while (values.length > 0 && values[values.length - 1] === null) values.pop();
      yield `${toIon(values)}\n`;
      continue;
    }
    const out: Record<string, unknown> = {};
    for (let i = 0; i < columns!.length; i++) out[columns![i]!] = values[i] ?? null;
    yield `${toIon(out)}\n`;
  }
}

/** A storage name for a sheet's file. */
const fileName = (sheet: string, ext: string) =>
  `${sheet.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 60) || "sheet"}${ext}`;

/** Turns what exceljs and yauzl throw on a part that is not readable into a task error. */
function xlsxError(error: unknown, from: string): unknown {
  if (isSakerError(error)) return error;
  const message = (error as Error)?.message ?? String(error);
  return new NonRetryableError(`'${from}' is not a readable xlsx file: ${message}`);
}

export const ExcelToIon = defineTask({
  type: "io.kestra.plugin.serdes.excel.ExcelToIon",
  title: "Convert an Excel file to Ion",
  description:
    "Reads an xlsx workbook from internal storage, streaming, and writes one Ion file per sheet: a struct per row keyed by the first row with `header: true`, a list of cells otherwise. Dates are Ion timestamps (or serial numbers, or the text Excel shows), formulas give their cached result (or their text with `valueRender: FORMULA`).",
  examples: [
    {
      title: "Read the `Orders` sheet of a downloaded workbook and use it in the next task",
      code: `id: to_ion\ntype: io.kestra.plugin.serdes.excel.ExcelToIon\nfrom: "{{ outputs.download.uri }}"\nsheetsTitle:\n  - Orders\nskipRows: 2\n# next: from: "{{ outputs.to_ion.uris.Orders }}"`,
    },
  ],
  properties: z.object({
    from: z.string().describe("The URI of the xlsx file to read (`kestra://…`)."),
    sheetsTitle: z
      .array(z.string())
      .optional()
      .describe("The sheets to read, by title; all sheets when not set. A title the workbook lacks fails the task."),
    charset: z
      .string()
      .default("UTF-8")
      .describe("Accepted for compatibility; xlsx text is always Unicode (UTF-8 XML)."),
    valueRender: z
      .enum(VALUE_RENDERS)
      .default("UNFORMATTED_VALUE")
      .describe(
        "How cell values are written: `UNFORMATTED_VALUE` the typed value (numbers, booleans, strings; a formula's cached result), `FORMATTED_VALUE` the text Excel shows for numbers, dates and booleans, `FORMULA` a formula's text (`=SUM(A1:A3)`) instead of its result.",
      ),
    dateTimeRender: z
      .enum(DATE_TIME_RENDERS)
      .default("UNFORMATTED_VALUE")
      .describe(
        "How date cells are written: `UNFORMATTED_VALUE` an Ion timestamp (the cell's wall time, as UTC), `SERIAL_NUMBER` Excel's day number (45292.5), `FORMATTED_STRING` the text of the cell's date format.",
      ),
    header: z.boolean().default(true).describe("Whether the first row (after `skipRows`) names the columns."),
    skipEmptyRows: z
      .boolean()
      .default(false)
      .describe("Whether rows without any value are left out; otherwise they are written with null cells."),
    skipRows: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe("How many rows to skip at the top of each sheet (a title, notes) before the header."),
  }),
  outputs: z.object({
    uris: z
      .record(z.string(), z.string())
      .describe("The Ion file of each sheet read, by sheet title: `{{ outputs.task_id.uris.Sheet1 }}`."),
    size: z.number().int().describe("The number of rows written, over all sheets (header rows not counted)."),
  }),
  async run(p, ctx) {
    const o: ReadOptions = { valueRender: p.valueRender, dateTimeRender: p.dateTimeRender };
    const wanted = p.sheetsTitle && p.sheetsTitle.length > 0 ? new Set(p.sheetsTitle) : undefined;
    const uris: Record<string, string> = {};
    let size = 0;
    let sheets = 0;
    let xlsx: OpenedXlsx;
    try {
      xlsx = await openXlsx(ctx, p.from);
    } catch (error) {
      throw xlsxError(error, p.from);
    }
    const reader = xlsx.reader;
    const checkTitles = () => {
      const titles = ((reader as unknown as { model?: { sheets?: { name: string }[] } }).model?.sheets ?? []).map(
        (s) => s.name,
      );
      const missing = [...(wanted ?? [])].filter((t) => !titles.includes(t));
      if (titles.length > 0 && missing.length > 0)
        throw new NonRetryableError(
          `sheetsTitle: no sheet ${missing.map((t) => `'${t}'`).join(", ")} in '${p.from}' (its sheets: ${titles.map((t) => `'${t}'`).join(", ")})`,
        );
    };
    try {
      for await (const { sheet, skip } of xlsx.sheets()) {
        checkTitles();
        sheets++;
        const title = sheet.name ?? `Sheet${sheet.id}`;
        if (wanted && !wanted.has(title)) {
          skip();
          continue;
        }
        const lines = sheetLines(sheet, p, o, () => size++);
        uris[title] = await storeStream(ctx, fileName(title, ".ion"), encodeText(lines, "utf8"));
      }
      if (sheets === 0) throw new NonRetryableError(`'${p.from}' is not a readable xlsx file: it holds no worksheet`);
      checkTitles();
    } catch (error) {
      await Promise.all(Object.values(uris).map((u) => ctx.storage.delete(u).catch(() => false)));
      throw xlsxError(error, p.from);
    } finally {
      await xlsx.close();
    }
    ctx.metric({ name: "sheets", type: "counter", value: sheets });
    ctx.metric({ name: "records", type: "counter", value: size });
    return { uris, size };
  },
});

// ---------------------------------------------------------------------------------------------
// IonToExcel

export interface WriteOptions {
  header: boolean;
  styles: boolean;
  zone: string;
  dateFmt: string;
  timeFmt: string;
  dateTimeFmt: string;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/;
const LOCAL_TIME = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/;

/** Milliseconds of an ISO fraction of a second (`5` → 500). */
const millis = (fraction: string | undefined) => (fraction ? Number(fraction.slice(0, 3).padEnd(3, "0")) : 0);

/** A date cell: its value (a Date whose UTC fields are the wall time, or a day fraction) and number format. */
interface Dated {
  value: Date | number;
  format: string;
}

/** The Excel date of an Ion timestamp or a Java date annotation, or undefined when it is none. */
function dated(value: unknown, o: WriteOptions): Dated | undefined {
  if (value instanceof IonTimestamp) {
    const day = DAY.exec(value.text);
    if (day) return { value: new Date(Date.UTC(+day[1]!, +day[2]! - 1, +day[3]!)), format: o.dateFmt };
    const ms = Date.parse(value.text);
    if (Number.isNaN(ms)) return undefined;
    return { value: wallTime(ms, o.zone), format: o.dateTimeFmt };
  }
  if (!(value instanceof IonAnnotated) || typeof value.value !== "string") return undefined;
  const text = value.value;
  switch (value.annotation) {
    case "LocalDate": {
      const day = DAY.exec(text);
      return day ? { value: new Date(Date.UTC(+day[1]!, +day[2]! - 1, +day[3]!)), format: o.dateFmt } : undefined;
    }
    case "LocalDateTime": {
      const m = LOCAL_DATE_TIME.exec(text);
      if (!m) return undefined;
      const wall = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +(m[6] ?? 0), millis(m[7]));
      return { value: new Date(wall), format: o.dateTimeFmt };
    }
    case "LocalTime": {
      const m = LOCAL_TIME.exec(text);
      if (!m) return undefined;
      const seconds = +m[1]! * 3600 + +m[2]! * 60 + +(m[3] ?? 0) + millis(m[4]) / 1000;
      return { value: seconds / 86_400, format: o.timeFmt };
    }
    case "ZonedDateTime":
    case "OffsetDateTime": {
      const ms = Date.parse(text.replace(/\[.*\]$/, ""));
      return Number.isNaN(ms) ? undefined : { value: wallTime(ms, o.zone), format: o.dateTimeFmt };
    }
    default:
      return undefined;
  }
}

type CellValue = ExcelJS.CellValue;

/** The exceljs value of one Ion value, and the number format of a date. */
function toCell(value: unknown, o: WriteOptions, where: () => string): { value: CellValue; numFmt?: string } {
  if (value === null || value === undefined) return { value: null };
  if (typeof value === "number") return { value: Number.isFinite(value) ? value : String(value) };
  if (typeof value === "bigint") return { value: value.toString() };
  if (typeof value === "boolean") return { value };
  if (typeof value === "string") {
    if (value.startsWith("Formula:")) return { value: { formula: value.slice(8) } as CellValue };
    if (value.length > MAX_CELL_TEXT)
      throw new NonRetryableError(
        `${where()}: a text of ${value.length} characters is more than an Excel cell holds (32,767)`,
      );
    return { value };
  }
  if (value instanceof IonDecimal) {
    // Kestra writes a BigDecimal as a double; one too large for a double stays its text.
    const n = Number(value.text);
    return { value: Number.isFinite(n) ? n : value.text };
  }
  const date = dated(value, o);
  if (date) return { value: date.value, ...(o.styles ? { numFmt: date.format } : {}) };
  if (value instanceof IonAnnotated) return toCell(value.value, o, where);
  if (value instanceof IonTimestamp) return { value: value.text };
  if (value instanceof Date)
    return { value: wallTime(value.getTime(), o.zone), ...(o.styles ? { numFmt: o.dateTimeFmt } : {}) };
  const text = cellText(untag(value));
  if (text !== null && text.length > MAX_CELL_TEXT)
    throw new NonRetryableError(
      `${where()}: a value of ${text.length} characters is more than an Excel cell holds (32,767)`,
    );
  return { value: text };
}

const INVALID_TITLE = /[\\/?*[\]:]/;

function checkTitle(title: string): string {
  if (
    title.trim() === "" ||
    title.length > 31 ||
    INVALID_TITLE.test(title) ||
    title.startsWith("'") ||
    title.endsWith("'")
  )
    throw new NonRetryableError(
      `'${title}' cannot be a sheet title: Excel wants 1 to 31 characters, none of \\ / ? * [ ] : and no quote at either end`,
    );
  return title;
}

/** What exceljs's streaming sheet keeps of its XML: its own buffers until the zip takes it, then the zip's input. */
interface SheetStream {
  buffers?: { length: number }[];
  pipes?: (Writable & { _writableState?: { length?: number } })[];
}

const BACKLOG = 4 * 1024 * 1024;

/**
 * Waits while the XML a sheet produced is not yet compressed. exceljs writes rows into the zip
 * without backpressure: with rows coming faster than deflate, they would pile up in memory. Its
 * zip input is a `readable-stream` v3 stream (no `writableLength`), hence the internal state; the
 * wait is a bounded one in case `drain` never comes.
 */
async function drained(sheet: unknown): Promise<void> {
  const stream = (sheet as { stream?: SheetStream }).stream;
  if (!stream) return;
  for (;;) {
    const pipe = stream.pipes?.[0];
    const held = pipe
      ? (pipe.writableLength ?? pipe._writableState?.length ?? 0)
      : (stream.buffers ?? []).reduce((sum, b) => sum + b.length, 0);
    if (held <= BACKLOG) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        pipe?.off("drain", done);
        resolve();
      };
      const timer = setTimeout(done, 20);
      pipe?.once("drain", done);
    });
  }
}

/** Writes the rows of one Ion file into a new sheet of `workbook`; returns the rows written. */
export async function writeSheet(
  workbook: Pick<ExcelJS.stream.xlsx.WorkbookWriter, "addWorksheet">,
  title: string,
  ion: AsyncIterable<unknown>,
  o: WriteOptions,
  from: string,
): Promise<number> {
  const sheet = workbook.addWorksheet(title);
  let rows = 0;
  let line = 0;
  let columns: string[] | undefined;
  const add = (values: unknown[]) => {
    if (rows >= MAX_SHEET_ROWS)
      throw new NonRetryableError(
        `'${from}' has more rows than the ${MAX_SHEET_ROWS.toLocaleString("en")} an xlsx sheet holds (sheet '${title}', Ion line ${line}); split the file first`,
      );
    rows++;
    const row = sheet.getRow(rows);
    for (let i = 0; i < values.length; i++) {
      const cell = toCell(values[i], o, () => `'${from}' line ${line}, column ${i + 1}`);
      if (cell.value === null) continue;
      const target = row.getCell(i + 1);
      target.value = cell.value;
      if (cell.numFmt) target.numFmt = cell.numFmt;
    }
    row.commit();
  };
  try {
    for await (const value of ion) {
      line++;
      if (Array.isArray(value)) add(value);
      else if (isStruct(value)) {
        const record = value;
        if (!columns) {
          columns = [...fieldNamesOf(record)];
          if (o.header) add(columns);
        }
        add(columns.map((c) => record[c]));
      } else add([value]);
      if (rows % 256 === 0) await drained(sheet);
    }
  } catch (error) {
    if (error instanceof IonReadError) throw new NonRetryableError(`'${from}': ${error.message}`);
    throw error;
  }
  sheet.commit();
  return rows - (o.header && columns ? 1 : 0);
}

/** Streams the xlsx bytes `write` produces into `out`, ending it or destroying it with the error. */
async function* xlsxBytes(write: (stream: PassThrough) => Promise<void>): AsyncGenerator<Buffer> {
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  const done = write(out).then(
    () => undefined,
    (error: unknown) => {
      out.destroy(error as Error);
    },
  );
  for await (const chunk of out) yield chunk as Buffer;
  await done;
}

export const IonToExcel = defineTask({
  type: "io.kestra.plugin.serdes.excel.IonToExcel",
  title: "Convert Ion files to an Excel workbook",
  description:
    "Reads one Ion file (one row per line, as a query with `fetchType: STORE` or CsvToIon write it) or several (a map of sheet title to URI) and writes an xlsx workbook, streaming. Numbers, booleans and strings keep their type, Ion timestamps and Java dates become Excel dates shown with `dateFormat`/`dateTimeFormat`/`timeFormat`, a string starting with `Formula:` becomes a formula. A sheet holds at most 1,048,576 rows: more fails the task.",
  examples: [
    {
      title: "One sheet from a query's rows",
      code: `id: to_excel\ntype: io.kestra.plugin.serdes.excel.IonToExcel\nfrom: "{{ outputs.query.uri }}"\nsheetsTitle: Orders\ndateFormat: dd/MM/yyyy`,
    },
    {
      title: "One sheet per converted file",
      code: `id: write\ntype: io.kestra.plugin.serdes.excel.IonToExcel\nfrom:\n  Products: "{{ outputs.convert1.uri }}"\n  Fruits: "{{ outputs.convert2.uri }}"`,
    },
  ],
  properties: z.object({
    from: z
      .union([z.string(), z.record(z.string(), z.string())])
      .describe("The URI of the Ion file to convert, or a map of sheet title to URI for one sheet per file."),
    charset: z.string().default("UTF-8").describe("Accepted for compatibility; Ion files are read as UTF-8."),
    sheetsTitle: z.string().default("Sheet").describe("The title of the sheet when `from` is one URI."),
    header: z
      .boolean()
      .default(true)
      .describe("Whether the first row names the columns (the fields of the first Ion struct)."),
    styles: z
      .boolean()
      .default(true)
      .describe("Whether date cells get a number format (`dateFormat`…); without it they show Excel's serial number."),
    dateFormat: z
      .string()
      .default("yyyy-MM-dd")
      .describe("Java pattern of the number format of dates (day timestamps, `LocalDate`)."),
    timeFormat: z
      .string()
      .default("HH:mm:ss[XXX]")
      .describe("Java pattern of the number format of times (`LocalTime`)."),
    dateTimeFormat: z
      .string()
      .default("yyyy-MM-dd'T'HH:mm:ss.SSS[XXX]")
      .describe("Java pattern of the number format of date-times (timestamps, `LocalDateTime`, `ZonedDateTime`)."),
    timeZoneId: z
      .string()
      .default("Etc/UTC")
      .describe(
        "The time zone whose wall-clock time instants (timestamps with an offset) are written in; Excel dates have no zone.",
      ),
  }),
  outputs: z.object({
    uri: z.string().describe("URI of the xlsx file in internal storage."),
    size: z.number().int().describe("The number of rows written, over all sheets (header rows not counted)."),
  }),
  async run(p, ctx) {
    const o: WriteOptions = {
      header: p.header,
      styles: p.styles,
      zone: checkZone(p.timeZoneId),
      dateFmt: excelNumberFormat(p.dateFormat),
      timeFmt: excelNumberFormat(p.timeFormat),
      dateTimeFmt: excelNumberFormat(p.dateTimeFormat),
    };
    const sheets = typeof p.from === "string" ? [[p.sheetsTitle, p.from] as const] : Object.entries(p.from);
    if (sheets.length === 0)
      throw new NonRetryableError("from: give a URI, or a map of sheet title to URI with at least one entry");
    const seen = new Set<string>();
    for (const [title] of sheets) {
      checkTitle(title);
      if (seen.has(title.toLowerCase())) throw new NonRetryableError(`from: the sheet title '${title}' is given twice`);
      seen.add(title.toLowerCase());
    }
    let size = 0;
    const excel = await exceljs();
    const uri = await storeStream(
      ctx,
      "data.xlsx",
      xlsxBytes(async (stream) => {
        const workbook = new excel.stream.xlsx.WorkbookWriter({ stream, useStyles: true, useSharedStrings: false });
        for (const [title, from] of sheets) {
          const source = await ctx.storage.getFile(from);
          try {
            size += await writeSheet(workbook, title, readIonLines(source, { tagged: true }), o, from);
          } finally {
            source.destroy();
          }
        }
        await workbook.commit();
      }),
    );
    ctx.metric({ name: "records", type: "counter", value: size });
    return { uri, size };
  },
});
