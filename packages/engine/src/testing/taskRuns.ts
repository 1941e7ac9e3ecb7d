/** Task runs as an executor's tests build them: a run of one task, CREATED unless told otherwise. */
import type { StateType } from "@saker/sdk";
import type { TaskRun } from "../model/execution.ts";
import { newState } from "../model/state.ts";

export interface TestRunOptions {
  /** The parent task run's id. */
  parent?: string | undefined;
  value?: string | undefined;
  state?: StateType;
}

/** A task run `id` of task `taskId` in execution `x` of flow `n.f`, its state dated 2026-01-01. */
export function testTaskRun(
  id: string,
  taskId: string,
  { parent, value, state = "CREATED" }: TestRunOptions = {},
): TaskRun {
  return {
    id,
    executionId: "x",
    namespace: "n",
    flowId: "f",
    taskId,
    ...(parent ? { parentTaskRunId: parent } : {}),
    ...(value === undefined ? {} : { value }),
    outputs: null,
    state: newState(new Date("2026-01-01T00:00:00Z"), state),
  };
}
