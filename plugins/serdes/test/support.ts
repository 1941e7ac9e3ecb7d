/**
 * Test support: a real engine instance with the core plugin and this one registered, opened for
 * a test file's tests by {@link useSerdesInstance} with the helpers the files use on it; the
 * plugin's task types; and the flows the tests run.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import {
  coreRegistry,
  deferredTestInstance,
  openTestInstance,
  outputsOf,
  storedText,
  streamToBuffer,
  toStoragePath,
  taskYaml,
  type TestInstance,
} from "@saker/engine/testing";
import serdes from "../src/index.ts";

/** The plugin's task types, as Kestra names them. */
export const CSV_TO_ION = "io.kestra.plugin.serdes.csv.CsvToIon";
export const ION_TO_CSV = "io.kestra.plugin.serdes.csv.IonToCsv";
export const JSON_TO_ION = "io.kestra.plugin.serdes.json.JsonToIon";
export const ION_TO_JSON = "io.kestra.plugin.serdes.json.IonToJson";
export const XML_TO_ION = "io.kestra.plugin.serdes.xml.XmlToIon";
export const ION_TO_XML = "io.kestra.plugin.serdes.xml.IonToXml";
export const EXCEL_TO_ION = "io.kestra.plugin.serdes.excel.ExcelToIon";
export const ION_TO_EXCEL = "io.kestra.plugin.serdes.excel.IonToExcel";
export const ION_TO_AVRO = "io.kestra.plugin.serdes.avro.IonToAvro";
export const AVRO_TO_ION = "io.kestra.plugin.serdes.avro.AvroToIon";
export const INFER_AVRO_SCHEMA = "io.kestra.plugin.serdes.avro.InferAvroSchemaFromIon";
export const ION_TO_PARQUET = "io.kestra.plugin.serdes.parquet.IonToParquet";
export const PARQUET_TO_ION = "io.kestra.plugin.serdes.parquet.ParquetToIon";
export const YAML_TO_ION = "io.kestra.plugin.serdes.yaml.YamlToIon";
export const ION_TO_YAML = "io.kestra.plugin.serdes.yaml.IonToYaml";
export const YAML_TO_JSON = "io.kestra.plugin.serdes.yaml.YamlToJson";
export const JSON_TO_YAML = "io.kestra.plugin.serdes.yaml.JsonToYaml";
export const JSON_TO_JSONL = "io.kestra.plugin.serdes.json.JsonToJsonl";
export const JSON_TO_TOON = "io.kestra.plugin.serdes.json.JsonToToon";
export const TOON_TO_JSON = "io.kestra.plugin.serdes.json.ToonToJson";
export const MARKDOWN_TO_HTML = "io.kestra.plugin.serdes.markdown.MarkdownToHtml";
export const MARKDOWN_TO_TEXT = "io.kestra.plugin.serdes.markdown.MarkdownToText";
export const HTML_TO_MARKDOWN = "io.kestra.plugin.serdes.markdown.HtmlToMarkdown";
export const PROTOBUF_TO_ION = "io.kestra.plugin.serdes.protobuf.ProtobufToIon";

async function serdesInstance(): Promise<TestInstance> {
  const registry = coreRegistry();
  registry.addPlugin({ name: "@saker/plugin-serdes", version: "1.0.0", core: false }, serdes);
  return openTestInstance({ registry });
}

type Execution = Parameters<typeof outputsOf>[0];

/** The instance of a test file's tests, and what the files do with it. */
export interface SerdesTest {
  /** The instance (usable inside the tests: it is opened before them and closed after them). */
  readonly test: TestInstance;
  /** The text of the file a task run gave as its `uri` output. */
  stored(execution: Execution, taskId: string): Promise<string>;
  /** The bytes of a file of the instance's storage (`kestra://…`). */
  storedBytes(uri: string): Promise<Buffer>;
  /** Stores a namespace file of company.serdes; the URI to read it. */
  namespaceFile(name: string, content: string | Uint8Array): Promise<string>;
  /** The names of the files stored under an execution (the flow's own source file included). */
  filesOf(executionId: string): string[];
}

/**
 * Opens a serdes instance before the tests of the file (or of the `describe` block it is called
 * in) and closes it after them.
 */
export function useSerdesInstance(): SerdesTest {
  let opened: TestInstance | undefined;
  const test = deferredTestInstance(() => opened);
  beforeAll(async () => {
    opened = await serdesInstance();
  });
  afterAll(async () => {
    await opened?.close();
  });
  return {
    test,
    stored: (execution, taskId) => storedText(test, outputsOf(execution, taskId).uri as string),
    storedBytes: async (uri) => streamToBuffer(await test.instance.storage.get(toStoragePath(uri))),
    async namespaceFile(name, content) {
      const uri = `kestra:///company/serdes/_files/${name}`;
      await test.instance.storage.put(toStoragePath(uri), Buffer.from(content));
      return uri;
    },
    filesOf: (executionId) =>
      readdirSync(join(test.home, "storage"), { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile() && e.parentPath.includes(executionId))
        .map((e) => e.name),
  };
}

/** YAML of a task: `id`, `type`, then `props` lines indented under it. */
export const task = taskYaml;

/** A flow of the namespace company.serdes running `tasks`. */
export function flowOf(id: string, tasks: string): string {
  return `id: ${id}\nnamespace: company.serdes\ntasks:\n${tasks}`;
}

/** A flow that writes `content` to storage (task `src`, `extension`) and then runs `tasks`. */
export function flowWith(id: string, content: string, extension: string, tasks: string): string {
  return flowOf(
    id,
    task("src", "io.kestra.plugin.core.storage.Write", `content: ${JSON.stringify(content)}\nextension: ${extension}`) +
      tasks,
  );
}
