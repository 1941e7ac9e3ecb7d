/**
 * Avro schemas inferred from the rows of an Ion file, as Kestra's serdes plugin infers them (its
 * `InferAvroSchema`, used by IonToAvro and IonToParquet without `schema` and by the task
 * InferAvroSchemaFromIon). One inference serves the three tasks; two writers turn it into JSON:
 * {@link avroSchemaOf} gives the schema Kestra gives, {@link parquetSchemaOf} the one IonToParquet
 * writes (Saker's Parquet writer takes no union of several types).
 *
 * How Kestra infers, which this module follows (the tests compare whole schemas):
 *
 * - Each value is typed as Kestra's Ion reader reads it: ints are `int` (a `long` or a bigger int
 *   is not handled by Kestra, which fails: here `long`, and `string` past 64 bits), floats
 *   `double`, decimals and strings `string`, blobs `bytes`, booleans `boolean`; a timestamp at
 *   midnight UTC (a day timestamp too) is a `date`, another a `local-timestamp-millis`; strings
 *   annotated `LocalDate::` are dates, `LocalTime::`/`OffsetTime::` `time-millis`,
 *   `LocalDateTime::`, `ZonedDateTime::`, `OffsetDateTime::` and `Instant::` timestamps.
 * - A field is the union of `null` and its type, with `"doc": ""` and `"default": null`; a field
 *   null in every row scanned is of type `null`. A struct is a record named after its field (in
 *   the namespace `io.kestra.plugin.serdes.avro`), in a union with null; a list an array of its
 *   items' merged type in a union with null (an empty list an array of strings). The row itself
 *   is the record `root`; a row that is a list is the record `root` with one field `value`.
 * - Each field is merged with what earlier rows gave at the same place: the types of unions
 *   gathered in order of appearance, two records merged field by field, two arrays' items merged
 *   (Kestra keeps the first array, see {@link mergeArrays}). A record merged so loses the docs
 *   and defaults of its fields, and the union holding it then starts with null. The rows are then
 *   merged in order, the same way.
 */
import type { Readable } from "node:stream";
import * as ion from "ion-js";
import { NonRetryableError, type Logger, type RunContext } from "@saker/sdk";
import { LIST_ROWS_FIELD, ROOT_RECORD } from "./listRows.ts";

/** Rows that cannot give a schema; the message says why. */
export class InferError extends Error {}

/** The namespace of every record Kestra infers. */
export const NAMESPACE = "io.kestra.plugin.serdes.avro";

/** The rows read when the task does not say (`numberOfRowsToScan`), as in Kestra. */
export const DEFAULT_ROWS_TO_SCAN = 100;

// -------------------------------------------------------------------------------------------------
// Values, as Kestra's Ion reader (Jackson, with Kestra's date-time rules) hands them to the inference.

type Scalar = "boolean" | "int" | "long" | "bigint" | "double" | "string" | "bytes" | "date" | "time" | "timestamp";

/** A value of a row, reduced to what the inference looks at. */
export type Node = null | { k: Scalar } | { k: "list"; items: Node[] } | { k: "struct"; fields: Map<string, Node> };

const ANNOTATED: Record<string, Scalar> = {
  LocalDate: "date",
  LocalTime: "time",
  OffsetTime: "time",
  LocalDateTime: "timestamp",
  ZonedDateTime: "timestamp",
  OffsetDateTime: "timestamp",
  Instant: "timestamp",
};

const INT_MIN = -(2n ** 31n);
const INT_MAX = 2n ** 31n - 1n;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

/** Whether a timestamp is read as a date by Kestra: no time, or midnight exactly in UTC (or at an unknown offset). */
function isKestraDate(ts: ion.Timestamp): boolean {
  if (ts.getPrecision() <= ion.TimestampPrecision.DAY) return true;
  // getLocalOffset() is 0 for Z and +00:00, -0 for an unknown offset (-00:00): both UTC for Kestra.
  if (ts.getLocalOffset() !== 0) return false;
  const d = ts.getDate();
  if (d.getUTCHours() !== 0 || d.getUTCMinutes() !== 0 || d.getUTCSeconds() !== 0) return false;
  const seconds = ts.getSecondsDecimal().toString();
  return !/[1-9]/.test(seconds.split(/[eEdD]/)[0]!);
}

/** The value under an ion-js reader, after `next()` gave `type`. */
function nodeOf(reader: ion.Reader, type: ion.IonType): Node {
  if (reader.isNull()) return null;
  const annotation = reader.annotations()[0];
  if (
    annotation !== undefined &&
    Object.hasOwn(ANNOTATED, annotation) &&
    (type === ion.IonTypes.STRING || type === ion.IonTypes.SYMBOL)
  )
    return { k: ANNOTATED[annotation]! };
  switch (type) {
    case ion.IonTypes.BOOL:
      return { k: "boolean" };
    case ion.IonTypes.INT: {
      const n = reader.bigIntValue() ?? 0n;
      return { k: n >= INT_MIN && n <= INT_MAX ? "int" : n >= LONG_MIN && n <= LONG_MAX ? "long" : "bigint" };
    }
    case ion.IonTypes.FLOAT:
      return { k: "double" };
    case ion.IonTypes.TIMESTAMP: {
      const ts = reader.timestampValue()!;
      // A year or a month alone reads as text in Saker (`2024`), which no date field takes: kept as text.
      if (ts.getPrecision() < ion.TimestampPrecision.DAY) return { k: "string" };
      return { k: isKestraDate(ts) ? "date" : "timestamp" };
    }
    case ion.IonTypes.BLOB:
    case ion.IonTypes.CLOB:
      return { k: "bytes" };
    case ion.IonTypes.LIST:
    case ion.IonTypes.SEXP: {
      const items: Node[] = [];
      reader.stepIn();
      for (let t = reader.next(); t !== null; t = reader.next()) items.push(nodeOf(reader, t));
      reader.stepOut();
      return { k: "list", items };
    }
    case ion.IonTypes.STRUCT: {
      // A repeated name keeps its first place and its last value, as Kestra's map.
      const fields = new Map<string, Node>();
      reader.stepIn();
      for (let t = reader.next(); t !== null; t = reader.next()) fields.set(reader.fieldName()!, nodeOf(reader, t));
      reader.stepOut();
      return { k: "struct", fields };
    }
    default:
      // Decimals (Kestra's inference types them as text), strings, symbols.
      return { k: "string" };
  }
}

/** The values of an Ion text, as the inference sees them. */
export function readNodes(text: string): Node[] {
  const reader = ion.makeReader(text);
  const nodes: Node[] = [];
  for (let t = reader.next(); t !== null; t = reader.next()) nodes.push(nodeOf(reader, t));
  return nodes;
}

// -------------------------------------------------------------------------------------------------
// Avro schemas as the inference builds them (Java Avro's Schema and Field, reduced to what it makes).

type Logical = "date" | "time-millis" | "local-timestamp-millis";

/** A type of the inferred schema. Never changed once built: merges build new ones. */
export type Schema =
  | { kind: "null" | "boolean" | "int" | "long" | "double" | "string" | "bytes"; logical?: Logical }
  | { kind: "record"; name: string; fields: readonly Field[] }
  | { kind: "array"; items: Schema }
  | { kind: "union"; types: readonly Schema[] };

/** A field of a record: `doc` and `def` (its default, `null` or an empty list) when it has them. */
export interface Field {
  readonly name: string;
  readonly schema: Schema;
  readonly doc?: string;
  readonly def?: "null" | "empty";
}

const NULL: Schema = { kind: "null" };
/** The type of an empty list, as Kestra types it. */
const EMPTY_ARRAY: Schema = { kind: "array", items: { kind: "string" } };

/** The logical type of a type, if it has one. */
const logicalOf = (s: Schema): Logical | undefined =>
  s.kind === "record" || s.kind === "array" || s.kind === "union" ? undefined : s.logical;

const keys = new WeakMap<Schema, string>();

/** A text equal for two types exactly when Java Avro finds them equal (docs aside, defaults in). */
function keyOf(s: Schema): string {
  let key = keys.get(s);
  if (key !== undefined) return key;
  switch (s.kind) {
    case "record":
      key = `record ${s.name}{${s.fields.map((f) => `${JSON.stringify(f.name)}:${keyOf(f.schema)}${f.def ? `=${f.def}` : ""}`).join(",")}}`;
      break;
    case "array":
      key = `array<${keyOf(s.items)}>`;
      break;
    case "union":
      key = `[${s.types.map(keyOf).join(",")}]`;
      break;
    default:
      key = s.logical ? `${s.kind}/${s.logical}` : s.kind;
  }
  keys.set(s, key);
  return key;
}

const plain = (name: string, schema: Schema): Field => ({ name, schema });
/** `field` with another type, its doc and default kept. */
const retyped = (field: Field, schema: Schema): Field => ({ ...field, schema });
const nullable = (name: string, schema: Schema): Field => ({
  name,
  schema: { kind: "union", types: [NULL, schema] },
  doc: "",
  def: "null",
});
const branches = (s: Schema): readonly Schema[] => (s.kind === "union" ? s.types : [s]);

function record(name: string, fields: readonly Field[]): Schema {
  return { kind: "record", name, fields };
}

/** Two fields' types merged, keeping the most precise type that holds both. */
function mergeFields(a: Field, b: Field): Field {
  if (a.schema.kind === "union" || b.schema.kind === "union") {
    // The types of both, in order, each once.
    const seen = new Map<string, Schema>();
    for (const t of [...branches(a.schema), ...branches(b.schema)]) if (!seen.has(keyOf(t))) seen.set(keyOf(t), t);
    let types = [...seen.values()];
    // Several records become one, several arrays one, placed last. (Kestra merges the arrays only
    // when there were not several records, and fails on the union then: both are merged here.)
    const records = types.filter((t) => t.kind === "record");
    if (records.length > 1) {
      types = types.filter((t) => t.kind !== "record");
      let one: Schema = records[0]!;
      for (const other of records.slice(1)) one = mergeRecords(plain("tmp", one), plain("tmp2", other)).schema;
      types.push(one);
    }
    const arrays = types.filter((t) => t.kind === "array");
    if (arrays.length > 1) {
      types = types.filter((t) => t.kind !== "array");
      types.push(arrays.slice(1).reduce(mergeArrays, arrays[0]!));
    }
    // Ints and longs (which Kestra cannot infer) are longs.
    if (types.some((t) => t.kind === "long" && !logicalOf(t)))
      types = types.filter((t) => t.kind !== "int" || logicalOf(t) !== undefined);
    return retyped(a, { kind: "union", types });
  }
  if (a.schema.kind === "record" || b.schema.kind === "record") {
    if (a.schema.kind === "record" && b.schema.kind === "record") return mergeRecords(a, b);
    throw new InferError(
      `'${a.name}' is a struct in one row and ${b.schema.kind === "record" ? a.schema.kind : b.schema.kind} in another`,
    );
  }
  if (a.schema.kind === "array" && b.schema.kind === "array") return retyped(a, mergeArrays(a.schema, b.schema));
  if (a.schema.kind === b.schema.kind) return a;
  return retyped(a, { kind: "union", types: [a.schema, b.schema] });
}

/**
 * Two arrays as one: the items merged. (Kestra keeps the first array as it is, so that the items
 * of a later row, a struct's new fields, are left out of its schema: merged here. An empty list,
 * typed an array of strings, is still merged as Kestra does, the first of the two kept.)
 */
function mergeArrays(a: Schema, b: Schema): Schema {
  const [x, y] = [a, b] as Extract<Schema, { kind: "array" }>[];
  // With an empty list (an array of strings), Kestra's choice: the first.
  if (x === EMPTY_ARRAY || y === EMPTY_ARRAY || keyOf(x!) === keyOf(y!)) return x!;
  return { kind: "array", items: mergeFields(plain("items", x!.items), plain("items", y!.items)).schema };
}

/** Two records merged: the fields of `a`, then those only `b` has; the merged fields lose their docs and defaults. */
function mergeRecords(a: Field, b: Field): Field {
  const ra = a.schema as Extract<Schema, { kind: "record" }>;
  const rb = b.schema as Extract<Schema, { kind: "record" }>;
  const fromB = new Map(rb.fields.map((f) => [f.name, f]));
  const names = new Set([...ra.fields.map((f) => f.name), ...fromB.keys()]);
  const fromA = new Map(ra.fields.map((f) => [f.name, f]));
  const fields: Field[] = [];
  for (const name of names) {
    const fa = fromA.get(name);
    const fb = fromB.get(name);
    const merged = fa && fb ? mergeFields(fa, fb) : (fa ?? fb)!;
    fields.push(plain(name, merged.schema));
  }
  return retyped(a, record(ra.name, fields));
}

const SCALAR: Record<Exclude<Scalar, "date" | "time" | "timestamp">, Schema> = {
  boolean: { kind: "boolean" },
  int: { kind: "int" },
  long: { kind: "long" },
  bigint: { kind: "string" },
  double: { kind: "double" },
  string: { kind: "string" },
  bytes: { kind: "bytes" },
};
const DATE: Schema = { kind: "int", logical: "date" };
const TIME: Schema = { kind: "int", logical: "time-millis" };
const TIMESTAMP: Schema = { kind: "long", logical: "local-timestamp-millis" };

/**
 * The inference over rows given one at a time: what each place (a field, the items of a list)
 * gave so far, and the rows merged.
 */
export class SchemaInference {
  private readonly known = new Map<string, Field>();
  private merged: Field | undefined;
  /** The rows added. */
  rows = 0;

  /** Adds a row (a struct or a list); `where` names it in errors (`line 3 of 'kestra://…'`). */
  add(row: Node, where: string): void {
    if (row === null || (row.k !== "struct" && row.k !== "list"))
      throw new InferError(
        `line ${where} is not a struct or a list but ${row === null ? "null" : `a value of type ${row.k === "bigint" || row.k === "long" ? "int" : row.k}`}`,
      );
    let field: Field;
    try {
      field = this.field(".", ROOT_RECORD, row, true);
      this.merged = this.merged ? mergeFields(this.merged, field) : field;
    } catch (error) {
      if (error instanceof InferError) throw new InferError(`line ${where}: ${error.message}`);
      throw error;
    }
    this.rows++;
  }

  /** The record of the rows added, or undefined when there was none. */
  result(): Field | undefined {
    return this.merged;
  }

  private field(path: string, name: string, node: Node, top: boolean): Field {
    let field: Field;
    if (node === null) field = plain(name, NULL);
    else if (node.k === "struct") {
      const fields = [...node.fields].map(([key, value]) => this.field(`${path}_${name}_${key}`, key, value, false));
      const rec = record(name, fields);
      field = top ? plain(name, rec) : plain(name, { kind: "union", types: [rec, NULL] });
    } else if (node.k === "list") {
      let items: Field | undefined;
      for (const item of node.items) items = this.field(`${path}_${name}_items`, `${name}_items`, item, false);
      const array: Schema = items ? { kind: "array", items: items.schema } : EMPTY_ARRAY;
      // Avro wants a record at the top: a row that is a list is the record of one field, `value` (listRows.ts).
      field = top
        ? plain(name, record(name, [{ name: LIST_ROWS_FIELD, schema: array, doc: "", def: "empty" }]))
        : plain(name, { kind: "union", types: [array, NULL] });
    } else if (node.k === "date") field = nullable(name, DATE);
    else if (node.k === "time") field = nullable(name, TIME);
    else if (node.k === "timestamp") field = nullable(name, TIMESTAMP);
    else field = nullable(name, SCALAR[node.k]);
    const known = this.known.get(path);
    const result = known ? mergeFields(field, known) : field;
    this.known.set(path, result);
    return result;
  }
}

// -------------------------------------------------------------------------------------------------
// The schema as JSON.

type Json = unknown;

/** Java Avro's rule for names (a letter or `_`, then letters, digits or `_`). */
const AVRO_NAME = /^[\p{L}_][\p{L}\p{Nd}_]*$/u;

/** The name Java Avro gives a type in a union (two of one name cannot be in a union). */
function unionName(s: Schema): string {
  return s.kind === "record" ? `${NAMESPACE}.${s.name}` : s.kind;
}

const label = (s: Schema): string =>
  s.kind === "record" ? "struct" : s.kind === "array" ? "list" : (logicalOf(s) ?? s.kind);

/**
 * The inferred schema as Kestra writes it (Java Avro's JSON): every record but the top one in
 * the top one's namespace, and a record met again under its name. Where Kestra would fail or
 * give a schema that does not describe the rows, this throws or does better:
 *
 * - a field name Avro refuses fails, naming it (Kestra fails on it too);
 * - a union of two types Avro stores alike (an `int` and a `date`, a `long` and a timestamp)
 *   fails, naming the field (Kestra fails: "Duplicate in union");
 * - two different records of one name (two structs under fields of one name): the second is
 *   named `<name>_2` (Kestra writes the first one's name for both).
 */
export function avroSchemaOf(root: Field): Json {
  const defined = new Map<string, string>(); // record name → the key of its definition
  const write = (s: Schema, path: string, top: boolean): Json => {
    switch (s.kind) {
      case "record": {
        let name = s.name;
        const key = keyOf(s);
        for (let n = 2; defined.has(name); n++) {
          if (defined.get(name) === key) return name;
          name = `${s.name}_${n}`;
        }
        defined.set(name, key);
        const fields = s.fields.map((f) => {
          const where = path === "" ? f.name : `${path}.${f.name}`;
          if (!AVRO_NAME.test(f.name))
            throw new InferError(
              `the field name '${where}' is not an Avro name (a letter or _, then letters, digits or _)`,
            );
          return {
            name: f.name,
            type: write(f.schema, where, false),
            ...(f.doc !== undefined ? { doc: f.doc } : {}),
            ...(f.def === "null" ? { default: null } : f.def === "empty" ? { default: [] } : {}),
          };
        });
        return { type: "record", name, ...(top ? { namespace: NAMESPACE } : {}), fields };
      }
      case "array":
        return { type: "array", items: write(s.items, `${path}[]`, false) };
      case "union": {
        const seen = new Map<string, Schema>();
        for (const t of s.types) {
          const other = seen.get(unionName(t));
          if (other)
            throw new InferError(
              `'${path}' holds ${label(other)} and ${label(t)} values, which one Avro union cannot hold (both are Avro ${t.kind}s)`,
            );
          seen.set(unionName(t), t);
        }
        return s.types.map((t) => write(t, path, false));
      }
      default:
        return s.logical ? { type: s.kind, logicalType: s.logical } : s.kind;
    }
  };
  return write(root.schema, "", true);
}

/** One type for the types of a union, for Parquet: numbers the widest, dates and timestamps timestamps, others text. */
function parquetBranch(types: readonly Schema[]): Json {
  const others = types.filter((t) => t.kind !== "null");
  if (others.length === 0) return "string";
  if (others.length === 1) return parquetType(others[0]!);
  if (others.every((t) => (t.kind === "int" || t.kind === "long" || t.kind === "double") && !logicalOf(t)))
    return others.some((t) => t.kind === "double") ? "double" : "long";
  if (others.every((t) => logicalOf(t) === "date" || logicalOf(t) === "local-timestamp-millis"))
    return parquetType(TIMESTAMP);
  return "string";
}

function parquetType(s: Schema, top = false): Json {
  switch (s.kind) {
    case "null":
      return "string";
    case "union":
      return parquetBranch(s.types);
    case "record":
      return {
        type: "record",
        name: s.name,
        // The top record's namespace, as Kestra's: parquet-avro names the file's root `io.kestra.plugin.serdes.avro.root`.
        ...(top ? { namespace: NAMESPACE } : {}),
        // Every field is nullable but the `value` of a row that is a list.
        fields: s.fields.map((f) =>
          f.schema.kind === "array"
            ? { name: f.name, type: parquetType(f.schema) }
            : { name: f.name, type: ["null", parquetType(f.schema)], default: null },
        ),
      };
    case "array": {
      const items = parquetType(s.items);
      const optional = s.items.kind === "null" || (s.items.kind === "union" && s.items.types.includes(NULL));
      return { type: "array", items: optional ? ["null", items] : items };
    }
    default:
      // Timestamps are kept to the microsecond, in UTC (Kestra's local-timestamp-millis drops both).
      if (s.logical === "local-timestamp-millis") return { type: "long", logicalType: "timestamp-micros" };
      return s.logical ? { type: s.kind, logicalType: s.logical } : s.kind;
  }
}

/**
 * The inferred schema as IonToParquet writes it: every field nullable, and a type for each
 * union of several (Saker's Parquet writer takes no such union; parquet-avro writes a group of
 * `memberN` columns): numbers the widest of them, dates with timestamps timestamps, others text.
 * A field null in every row scanned is text. Timestamps are `timestamp-micros`. The top record
 * keeps Kestra's namespace, which names the Parquet file's root.
 */
export function parquetSchemaOf(root: Field): Json {
  return parquetType(root.schema, true);
}

// -------------------------------------------------------------------------------------------------
// Reading the rows.

/** Bytes of the rows scanned kept to be read again; beyond, the file is read a second time. */
export const MAX_REPLAY_BYTES = 16 * 1024 * 1024;

/** What {@link scanIon} found. */
export interface Scan {
  /** The merged record of the rows scanned. */
  root: Field;
  rows: number;
  /**
   * The whole file again, read once: the chunks the scan read then the rest of the source; or
   * undefined when they were too many to keep ({@link MAX_REPLAY_BYTES}) and the file must be opened again.
   */
  replay: AsyncIterable<Buffer> | undefined;
  /** Closes the source, when `replay` is not read to its end. */
  close(): void;
}

/**
 * Infers the schema of the first `limit` rows of an Ion file, one value per line as
 * `readIonLines` reads it (lines numbered as it numbers them). `what` names the file in errors.
 */
export async function scanIon(source: Readable, limit: number, what: string): Promise<Scan> {
  const inference = new SchemaInference();
  const iterator = source[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  let kept: Buffer[] | undefined = [];
  let keptBytes = 0;
  let done = false;
  let line = 0;
  // The pieces of the line not ended yet, joined once it ends: a line of many chunks is copied once.
  let pending: string[] = [];
  const decoder = new TextDecoder("utf-8");
  const take = (text: string) => {
    line++;
    if (text.trim() === "" || inference.rows >= limit) return;
    const reader = ion.makeReader(text);
    for (;;) {
      let node: Node;
      try {
        const type = reader.next();
        if (type === null) return;
        node = nodeOf(reader, type);
      } catch (error) {
        throw new InferError(`${what}: invalid Ion at line ${line}: ${(error as Error).message}`);
      }
      try {
        inference.add(node, `${line} of ${what}`);
      } catch (error) {
        if (error instanceof InferError) throw new InferError(`cannot infer a schema: ${error.message}`);
        throw error;
      }
      if (inference.rows >= limit) return;
    }
  };
  try {
    while (inference.rows < limit) {
      const next = await iterator.next();
      if (next.done) {
        done = true;
        break;
      }
      const chunk = typeof next.value === "string" ? Buffer.from(next.value) : next.value;
      if (kept) {
        kept.push(chunk);
        keptBytes += chunk.length;
        if (keptBytes > MAX_REPLAY_BYTES) kept = undefined;
      }
      // Only the text just decoded is searched for line ends.
      const text = decoder.decode(chunk, { stream: true });
      let start = 0;
      for (let end = text.indexOf("\n"); end !== -1; end = text.indexOf("\n", start)) {
        pending.push(text.slice(start, end));
        const whole = pending.join("");
        pending = [];
        take(whole);
        start = end + 1;
      }
      if (start < text.length) pending.push(text.slice(start));
    }
    if (done) {
      pending.push(decoder.decode());
      const last = pending.join("");
      if (last !== "") take(last);
    }
  } catch (error) {
    source.destroy();
    throw error;
  }
  const root = inference.result();
  if (!root) {
    source.destroy();
    throw new InferError(`cannot infer a schema: ${what} has no rows`);
  }
  let replay: AsyncIterable<Buffer> | undefined;
  if (kept) {
    const chunks = kept;
    replay = (async function* () {
      try {
        yield* chunks;
        if (done) return;
        for (;;) {
          const next = await iterator.next();
          if (next.done) return;
          yield typeof next.value === "string" ? Buffer.from(next.value) : next.value;
        }
      } finally {
        source.destroy();
      }
    })();
  } else source.destroy();
  return { root, rows: inference.rows, replay, close: () => source.destroy() };
}

/** What {@link inferSchema} needs of a task's context: the file to read, where to log the schema. */
export interface InferContext {
  readonly storage: Pick<RunContext["storage"], "getFile">;
  readonly logger: Pick<Logger, "info">;
}

/** A schema inferred by {@link inferSchema}, and the file it was inferred from, to read or close. */
export interface Inferred<T> {
  /** The schema's JSON, as `write` wrote it. */
  json: unknown;
  /** What `prepare` made of it (undefined without `prepare`). */
  prepared: T;
  /** The rows scanned. */
  rows: number;
  /**
   * The whole file, to read once: the rows scanned again from memory then the rest of the source,
   * or the file opened again when they were too many to keep. Call this or {@link close}.
   */
  read(): Promise<AsyncIterable<Buffer>>;
  /** Closes the file, when it is not read. */
  close(): void;
}

/**
 * Infers the schema of the first `limit` rows (every row for Infinity) of the Ion file `from`
 * for a task: rows that cannot give one fail it, with a NonRetryableError whose message ends with
 * `hint`. `write` turns the merged record of the rows into the schema's JSON ({@link avroSchemaOf},
 * {@link parquetSchemaOf}; an InferError when it cannot), which is logged; `prepare` makes of it
 * what the task needs before reading the file (the schema parsed, its converter compiled). If
 * either fails, the file is closed.
 */
export async function inferSchema<T = undefined>(
  ctx: InferContext,
  o: {
    from: string;
    limit: number;
    hint: string;
    write: (root: Field) => unknown;
    prepare?: (json: unknown) => T | Promise<T>;
  },
): Promise<Inferred<T>> {
  let scan: Scan;
  try {
    scan = await scanIon(await ctx.storage.getFile(o.from), o.limit, `'${o.from}'`);
  } catch (error) {
    if (error instanceof InferError) throw new NonRetryableError(`${error.message}${o.hint}`);
    throw error;
  }
  try {
    let json: unknown;
    try {
      json = o.write(scan.root);
    } catch (error) {
      if (error instanceof InferError) throw new NonRetryableError(`cannot infer a schema: ${error.message}${o.hint}`);
      throw error;
    }
    ctx.logger.info("inferred schema from {} row(s): {}", scan.rows, JSON.stringify(json));
    const prepared = (o.prepare ? await o.prepare(json) : undefined) as T;
    const { replay } = scan;
    return {
      json,
      prepared,
      rows: scan.rows,
      read: async () => replay ?? (await ctx.storage.getFile(o.from)),
      close: scan.close,
    };
  } catch (error) {
    scan.close();
    throw error;
  }
}
