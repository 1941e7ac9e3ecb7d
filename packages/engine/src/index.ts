/**
 * The engine's public surface: what the server, the CLI and the plugins may import. Nothing else
 * is reachable from outside the package (tests use `@saker/engine/testing`).
 */
export * from "./expression/index.ts";

// The API the server and the CLI act through.
export {
  createEngineApi,
  ExecutionsApi,
  FlowsApi,
  LogsApi,
  TriggersApi,
  WebhooksApi,
  type BackfillRequest,
  type DeleteExecutionOptions,
  type EngineApi,
  type LogScope,
  type ShownLogPage,
  type TriggerFilter,
  type TriggerListing,
  type TriggerSort,
  type TriggerView,
  type WebhookOutcome,
} from "./api/index.ts";
export { listTriggers } from "./api/triggers.ts";
export {
  FILTER_OPS,
  MAX_PAGE_SIZE,
  type FilterOp,
  type Page,
  type SearchFilter,
  type SearchQuery,
  type SearchSort,
} from "./backend/search.ts";

// Opening an instance, and its configuration.
export { Instance } from "./runtime/instance.ts";
export { loadConfig, type CompiledConfig } from "./runtime/config.ts";
export { readClusterProcesses } from "./runtime/postgresTools.ts";
export type { ProcessRow, ProcessState } from "./backend/postgres/liveness.ts";
export { onEachPoll } from "./backend/notifier.ts";
export { FileUpload } from "./runtime/executionFactory.ts";
export { inputFileUri } from "./runtime/inputFiles.ts";
export { coreRegistry, loadRegistry, pluginDirs } from "./runtime/registryLoader.ts";

// Model: flows, executions, inputs, graphs.
export type { Execution } from "./model/execution.ts";
export type { Flow, InputDefinition } from "./model/flow.ts";
export type { FlowGraph } from "./flow/flowGraph.ts";
export type { LogEntry } from "./executor/types.ts";
export { isDataLimitError, parseJsonData, setDataLimits } from "./model/dataLimits.ts";
export { flowDependencies, flowRelations, namespaceDependencies } from "./flow/flowDependencies.ts";
export { inputSchema } from "./model/flowSchema.ts";
export { checkInputs, resolveInputs, type InputCheck, type InputResolution } from "./model/inputs.ts";
export { flowJsonSchema } from "./flow/jsonSchema.ts";
export { parseFlow } from "./flow/parseFlow.ts";
export { buildTaskGraph, type SubflowRef, type TaskGraph } from "./flow/taskGraph.ts";
export { INPUT_TYPES, isCalendarDate, isInstant } from "./model/typedValues.ts";
export { parseYamlDataAsync } from "./model/yamlOffThread.ts";

// Stored rows as lists and pages show them.
export type { FlowSummary, StoredExecution, StoredFlow } from "./backend/records.ts";
export { LogTupleReader } from "./backend/logTupleReader.ts";
export type { LogQuery, LogTuple, StoredLog } from "./backend/records.ts";
export { METRIC_AGGREGATIONS, METRIC_SORT_COLUMNS, type MetricSortColumn } from "./backend/metrics.ts";

// Plugins.
export { isBundled } from "./plugins/bundled.ts";
export { groupIcons, pluginSummaries, subgroupSummaries, typeIcons } from "./plugins/catalog.ts";
export { typeDocumentation } from "./plugins/docs.ts";
export { installPlugin, sdkDir, uninstallPlugin } from "./plugins/installer.ts";
export { syncPlugins } from "./plugins/loader.ts";
export type { PluginRegistry, RegisteredType } from "./plugins/registry.ts";
export { scaffoldPlugin } from "./plugins/scaffold.ts";
export {
  checkPluginVersion,
  collectVersionSpecs,
  findVersionPins,
  readDefaultVersions,
  versionPins,
  writeDefaultVersion,
  type VersionPin,
} from "./plugins/versions.ts";

// Storage paths and the disk.
export { asDiskFull, DiskFullError } from "./storage/diskFull.ts";
export { executionPrefix, inputPrefix, isUnder, namespaceFilesPrefix, toUri } from "./storage/paths.ts";
export { executionReadPrefixes } from "./storage/taskStorage.ts";
export { LocalStorage } from "./storage/localStorage.ts";
export { S3Storage, type S3StorageOptions } from "./storage/s3Storage.ts";
export { s3StorageOfConfig } from "./storage/openStorage.ts";
export { copyToS3, parseS3Url, type CopyProgress, type CopyReport } from "./storage/s3Copy.ts";
export { migrateSqliteToPostgres } from "./runtime/postgresTools.ts";
export type {
  DatabaseMigrationReport,
  MigrateDatabaseOptions,
  TableProgress,
} from "./backend/migrate/sqliteToPostgres.ts";
