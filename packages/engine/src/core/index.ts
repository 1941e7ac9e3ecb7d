/**
 * The core plugin (`io.kestra.plugin.core.*`), registered with every instance.
 */
import type { AnyTypeDefinition } from "../plugins/registry.ts";
import { Echo, Return } from "./debug/return.ts";
import { Exit } from "./execution/exit.ts";
import { Fail } from "./execution/fail.ts";
import { Labels } from "./execution/labels.ts";
import { SetVariables, UnsetVariables } from "./execution/variables.ts";
import { Dag } from "./flow/dag.ts";
import { EachParallel, EachSequential, ForEach } from "./flow/each.ts";
import { If } from "./flow/if.ts";
import { LoopUntil, WaitFor } from "./flow/loopUntil.ts";
import { Parallel } from "./flow/parallel.ts";
import { Pause } from "./flow/pause.ts";
import { AllowFailure, Sequential } from "./flow/sequential.ts";
import { Sleep } from "./flow/sleep.ts";
import { Subflow } from "./flow/subflow.ts";
import { Switch } from "./flow/switch.ts";
import { Template } from "./flow/template.ts";
import { WorkingDirectory } from "./flow/workingDirectory.ts";
import { ForEachItem, ForEachItemExecutable, ForEachItemMergeOutputs, ForEachItemSplit } from "./flow/forEachItem.ts";
import { Log } from "./log/log.ts";
import { OutputValues } from "./output/outputValues.ts";
import { CORE_RUNNABLE_TASKS } from "./tasks.ts";
import { CORE_TRIGGERS_AND_CONDITIONS } from "./triggers.ts";

export const CORE_TYPES: readonly AnyTypeDefinition[] = [
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
  ...CORE_RUNNABLE_TASKS,
  ...CORE_TRIGGERS_AND_CONDITIONS,
];
