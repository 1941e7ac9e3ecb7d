/**
 * The core plugin (`io.kestra.plugin.core.*`), registered with every instance: one value, like a
 * third-party plugin's `definePlugin`, except that its tasks include the engine-only kinds
 * (flowable and executor tasks). A new core type goes in the list of its kind below.
 */
import { defineEnginePlugin } from "../plugins/engineTypes.ts";
import { DayWeek, DayWeekInMonth, Weekend } from "./condition/dayWeek.ts";
import { ExecutionFlow, ExecutionLabels, ExecutionNamespace } from "./condition/executionFlow.ts";
import { ExecutionStatus, HasRetryAttempt } from "./condition/executionStatus.ts";
import { ExecutionOutputs, Expression } from "./condition/expression.ts";
import { FlowCondition, FlowNamespaceCondition } from "./condition/flowCondition.ts";
import { Not, Or } from "./condition/logical.ts";
import { MultipleCondition } from "./condition/multipleCondition.ts";
import { PublicHoliday } from "./condition/publicHoliday.ts";
import { DateTimeBetween, TimeBetween } from "./condition/timeBetween.ts";
import { Echo, Return } from "./debug/return.ts";
import { Assert } from "./execution/assert.ts";
import { Count } from "./execution/count.ts";
import { Exit } from "./execution/exit.ts";
import { Fail } from "./execution/fail.ts";
import { Labels } from "./execution/labels.ts";
import { PurgeExecutions } from "./execution/purge.ts";
import { Resume } from "./execution/resume.ts";
import { SetVariables, UnsetVariables } from "./execution/variables.ts";
import { Dag } from "./flow/dag.ts";
import { EachParallel, EachSequential, ForEach } from "./flow/each.ts";
import { ForEachItem, ForEachItemExecutable, ForEachItemMergeOutputs, ForEachItemSplit } from "./flow/forEachItem.ts";
import { If } from "./flow/if.ts";
import { LoopUntil, WaitFor } from "./flow/loopUntil.ts";
import { Parallel } from "./flow/parallel.ts";
import { Pause } from "./flow/pause.ts";
import { PurgeFlows } from "./flow/purgeFlows.ts";
import { AllowFailure, Sequential } from "./flow/sequential.ts";
import { Sleep } from "./flow/sleep.ts";
import { Subflow } from "./flow/subflow.ts";
import { Switch } from "./flow/switch.ts";
import { Template } from "./flow/template.ts";
import { WorkingDirectory } from "./flow/workingDirectory.ts";
import { Download, Request } from "./http/request.ts";
import { SseRequest } from "./http/sseRequest.ts";
import { Trigger as HttpTrigger } from "./http/trigger.ts";
import { KvDelete, KvGet, KvGetKeys, KvSet } from "./kv/kv.ts";
import { PurgeKV } from "./kv/purgeKv.ts";
import { KvPut } from "./kv/put.ts";
import { Fetch, PurgeLogs } from "./log/fetch.ts";
import { Log } from "./log/log.ts";
import { Publish } from "./metric/publish.ts";
import { DeleteFiles, DownloadFiles, UploadFiles } from "./namespace/files.ts";
import { PurgeFiles } from "./namespace/purgeFiles.ts";
import { OutputValues } from "./output/outputValues.ts";
import { StateDelete, StateGet, StateSet } from "./state/state.ts";
import { Concat, Delete, PurgeCurrentExecutionFiles, Size, Write } from "./storage/files.ts";
import { DeduplicateItems, FilterItems } from "./storage/items.ts";
import { LocalFiles } from "./storage/localFiles.ts";
import { Reverse, Split } from "./storage/split.ts";
import { TemplatedTask } from "./templating/templatedTask.ts";
import { Flow } from "./trigger/flow.ts";
import { Schedule } from "./trigger/schedule.ts";
import { ScheduleOnDates } from "./trigger/scheduleOnDates.ts";
import { Toggle } from "./trigger/toggle.ts";
import { Webhook } from "./trigger/webhook.ts";

export const corePlugin = defineEnginePlugin({
  tasks: [
    Sequential,
    AllowFailure,
    Parallel,
    If,
    Switch,
    ForEach,
    EachSequential,
    EachParallel,
    Dag,
    Pause,
    LoopUntil,
    WaitFor,
    Subflow,
    WorkingDirectory,
    ForEachItem,
    ForEachItemSplit,
    ForEachItemExecutable,
    ForEachItemMergeOutputs,
    Labels,
    SetVariables,
    UnsetVariables,
    Exit,
    Log,
    Return,
    Echo,
    OutputValues,
    Fail,
    Sleep,
    Template,
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
    Toggle,
  ],
  triggers: [Schedule, ScheduleOnDates, Webhook, Flow, HttpTrigger],
  conditions: [
    ExecutionStatus,
    HasRetryAttempt,
    ExecutionFlow,
    ExecutionNamespace,
    ExecutionLabels,
    ExecutionOutputs,
    Expression,
    FlowCondition,
    FlowNamespaceCondition,
    DayWeek,
    DayWeekInMonth,
    TimeBetween,
    DateTimeBetween,
    Weekend,
    PublicHoliday,
    Not,
    Or,
    MultipleCondition,
  ],
});
