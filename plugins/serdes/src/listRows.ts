/**
 * Rows that are lists (an Ion file of lists rather than structs), as Kestra writes and reads them.
 * Avro wants a record at the top, so Kestra's inference makes such rows the record `root` of one
 * array field `value` (see infer.ts). Kestra has one rule each way, and the tasks here share them:
 *
 * - writing (IonToAvro, IonToParquet; Kestra's `AbstractAvroConverter.convertToAvro`): a row that
 *   is a list is the value of the record's field when the record has exactly one field and that
 *   field is an array (not a union with null), whatever the names ({@link takesListRows});
 * - reading (AvroToIon, ParquetToIon; Kestra's `AvroDeserializer.recordDeserializer`): a record
 *   is given back as its list only when it is also named `root` and its field `value`, the record
 *   the inference makes ({@link holdsListRows}). Any other record is a struct.
 */

/** The name of the record the inference makes of the rows, structs or lists. */
export const ROOT_RECORD = "root";
/** The one field of that record when the rows are lists. */
export const LIST_ROWS_FIELD = "value";

/** A field as both rules see it: whether its type is an array (a union with null is not). */
export interface ShapeField {
  readonly name: string;
  readonly array: boolean;
}

/** Whether a row that is a list is the value of the record's one field (writing). */
export function takesListRows(fields: readonly ShapeField[]): boolean {
  return fields.length === 1 && fields[0]!.array;
}

/**
 * Whether the records of a file are rows that were lists, to be given back as lists (reading).
 * `name` is the record's name, full (`io.kestra.plugin.serdes.avro.root`, as parquet-avro names a
 * Parquet file's root) or not: Kestra compares the name without its namespace.
 */
export function holdsListRows(name: string | undefined, fields: readonly ShapeField[]): boolean {
  return takesListRows(fields) && fields[0]!.name === LIST_ROWS_FIELD && name?.split(".").pop() === ROOT_RECORD;
}
