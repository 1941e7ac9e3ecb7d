/**
 * `@saker/plugin-serdes`: Kestra's `io.kestra.plugin.serdes.*` file conversions between Ion (the
 * row format of internal storage) and CSV, JSON, XML, Avro, Parquet or Excel, streamed from storage to storage.
 *
 * @module
 */
import { definePlugin } from "@saker/sdk";
import { CsvToIon, IonToCsv } from "./csv.ts";
import { ExcelToIon, IonToExcel } from "./excel.ts";
import { IonToJson, JsonToIon } from "./json.ts";
import { IonToXml, XmlToIon } from "./xml.ts";
import { AvroToIon, InferAvroSchemaFromIon, IonToAvro } from "./avro.ts";
import { IonToParquet, ParquetToIon } from "./parquet.ts";

export default definePlugin({
  group: "io.kestra.plugin.serdes",
  title: "Serdes",
  description:
    "Convert files in internal storage between Ion and CSV, JSON, XML, Avro, Parquet or Excel (xlsx), streaming, and infer the Avro schema of Ion rows.",
  tasks: [
    CsvToIon,
    IonToCsv,
    JsonToIon,
    IonToJson,
    XmlToIon,
    IonToXml,
    AvroToIon,
    IonToAvro,
    InferAvroSchemaFromIon,
    ParquetToIon,
    IonToParquet,
    ExcelToIon,
    IonToExcel,
  ],
});
