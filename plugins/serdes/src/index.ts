/**
 * `@saker/plugin-serdes`: Kestra's `io.kestra.plugin.serdes.*` file conversions between Ion (the
 * row format of internal storage) and CSV, JSON, XML, YAML, Avro, Parquet, Excel or Protobuf, and
 * between JSON, JSON Lines, YAML and TOON, Markdown, HTML and text, streamed from storage to storage.
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
import { IonToYaml, JsonToYaml, YamlToIon, YamlToJson } from "./yaml.ts";
import { JsonToJsonl } from "./jsonl.ts";
import { JsonToToon, ToonToJson } from "./toon.ts";
import { HtmlToMarkdown, MarkdownToHtml, MarkdownToText } from "./markdown.ts";
import { ProtobufToIon } from "./protobuf.ts";

export default definePlugin({
  group: "io.kestra.plugin.serdes",
  title: "Serdes",
  description:
    "Convert files in internal storage between Ion and CSV, JSON, XML, YAML, Avro, Parquet, Excel (xlsx) or Protobuf, streaming; between JSON, JSON Lines, YAML and TOON; Markdown to HTML or text and HTML to Markdown; and infer the Avro schema of Ion rows.",
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
    YamlToIon,
    IonToYaml,
    YamlToJson,
    JsonToYaml,
    JsonToJsonl,
    JsonToToon,
    ToonToJson,
    MarkdownToHtml,
    MarkdownToText,
    HtmlToMarkdown,
    ProtobufToIon,
  ],
});
