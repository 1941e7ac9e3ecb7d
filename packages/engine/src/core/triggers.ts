/** Core triggers and conditions, and the Toggle task that enables or disables a trigger. */
import type { AnyTypeDefinition } from "../plugins/registry.ts";
import { ExecutionFlow, ExecutionLabels, ExecutionNamespace } from "./condition/executionFlow.ts";
import { ExecutionStatus, HasRetryAttempt } from "./condition/executionStatus.ts";
import { ExecutionOutputs, Expression } from "./condition/expression.ts";
import { FlowCondition, FlowNamespaceCondition } from "./condition/flowCondition.ts";
import { DayWeek, DayWeekInMonth, Weekend } from "./condition/dayWeek.ts";
import { Not, Or } from "./condition/logical.ts";
import { MultipleCondition } from "./condition/multipleCondition.ts";
import { PublicHoliday } from "./condition/publicHoliday.ts";
import { DateTimeBetween, TimeBetween } from "./condition/timeBetween.ts";
import { Trigger as HttpTrigger } from "./http/trigger.ts";
import { Flow } from "./trigger/flow.ts";
import { Schedule } from "./trigger/schedule.ts";
import { ScheduleOnDates } from "./trigger/scheduleOnDates.ts";
import { Toggle } from "./trigger/toggle.ts";
import { Webhook } from "./trigger/webhook.ts";

export const CORE_TRIGGERS_AND_CONDITIONS: readonly AnyTypeDefinition[] = [
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
  Schedule,
  ScheduleOnDates,
  Webhook,
  Flow,
  HttpTrigger,
  Toggle,
];
