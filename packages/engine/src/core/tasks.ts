/** Runnable core tasks beyond the basics: KV, state, storage, HTTP, namespace files, logs, executions. */
import type { AnyTypeDefinition } from "../plugins/registry.ts";
import { Assert } from "./execution/assert.ts";
import { Count } from "./execution/count.ts";
import { PurgeExecutions } from "./execution/purge.ts";
import { Resume } from "./execution/resume.ts";
import { PurgeFlows } from "./flow/purgeFlows.ts";
import { Download, Request } from "./http/request.ts";
import { SseRequest } from "./http/sseRequest.ts";
import { KvDelete, KvGet, KvGetKeys, KvSet } from "./kv/kv.ts";
import { PurgeKV } from "./kv/purgeKv.ts";
import { KvPut } from "./kv/put.ts";
import { Fetch, PurgeLogs } from "./log/fetch.ts";
import { Publish } from "./metric/publish.ts";
import { DeleteFiles, DownloadFiles, UploadFiles } from "./namespace/files.ts";
import { PurgeFiles } from "./namespace/purgeFiles.ts";
import { StateDelete, StateGet, StateSet } from "./state/state.ts";
import { Concat, Delete, PurgeCurrentExecutionFiles, Size, Write } from "./storage/files.ts";
import { DeduplicateItems, FilterItems } from "./storage/items.ts";
import { LocalFiles } from "./storage/localFiles.ts";
import { Reverse, Split } from "./storage/split.ts";
import { TemplatedTask } from "./templating/templatedTask.ts";

export const CORE_RUNNABLE_TASKS: readonly AnyTypeDefinition[] = [
  KvSet,
  KvPut,
  KvGet,
  KvGetKeys,
  KvDelete,
  PurgeKV,
  StateSet,
  StateGet,
  StateDelete,
  Concat,
  Split,
  Size,
  Delete,
  Reverse,
  Write,
  FilterItems,
  DeduplicateItems,
  LocalFiles,
  PurgeCurrentExecutionFiles,
  Fetch,
  PurgeLogs,
  Publish,
  Assert,
  Count,
  PurgeExecutions,
  PurgeFlows,
  Resume,
  UploadFiles,
  DownloadFiles,
  DeleteFiles,
  PurgeFiles,
  Request,
  Download,
  SseRequest,
  TemplatedTask,
];
