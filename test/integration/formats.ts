/** Reads xlsx and Parquet files held in memory with the libraries the serdes plugin uses, for assertions. */
import ExcelJS from "exceljs";
import { parquetReadObjects } from "hyparquet";
import { compressors } from "hyparquet-compressors";

/** The rows of the first sheet, each a list of cell values (null for an empty cell). */
export async function readXlsxRows(buffer: Buffer): Promise<unknown[][]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
  const rows: unknown[][] = [];
  workbook.worksheets[0]!.eachRow({ includeEmpty: false }, (row) => {
    const values = Array.from(row.values as unknown[]).slice(1);
    rows.push(values.map((v) => v ?? null));
  });
  return rows;
}

/** Every row of a Parquet file as an object. */
export async function readParquetRows(buffer: Buffer): Promise<Record<string, unknown>[]> {
  const file = buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer;
  return (await parquetReadObjects({ file, compressors })) as Record<string, unknown>[];
}
