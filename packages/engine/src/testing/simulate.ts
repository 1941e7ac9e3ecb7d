/**
 * Drives the pure executor without any I/O, for table tests: worker jobs are answered by a
 * script, delays fire on a virtual clock, renders use the real expression engine.
 */
import type { StateType } from "@saker/sdk";
import { defaultEngine } from "../expression/index.ts";
import { transition, type TransitionResult } from "../executor/transition.ts";
import type { ExecutorCommand, ExecutorEvent, ExecutorState, LogEntry, WorkerJob } from "../executor/types.ts";
import { buildRunVariables, type VariableSources } from "../executor/variables.ts";
import type { Execution, TaskNode } from "../model/execution.ts";
import { compileFlowGraph } from "../flow/flowGraph.ts";
import { parseFlow } from "../flow/parseFlow.ts";
import { newState } from "../model/state.ts";
import { coreRegistry } from "../runtime/registryLoader.ts";

export interface ScriptedOutcome {
  state?: StateType;
  outputs?: Record<string, unknown>;
  /** Never answers: the job stays running (for kill tests). */
  hang?: boolean;
}

export type WorkerScript = (job: WorkerJob, attempt: number) => ScriptedOutcome;

/** Return → `{value: format}`, Fail → FAILED, others SUCCESS with no outputs. */
export const defaultScript: WorkerScript = (job) => {
  const task = job.task as TaskNode & { format?: string };
  if (task.type.endsWith(".Fail")) return { state: "FAILED" };
  if (task.type.endsWith(".Return"))
    return { outputs: { value: String(defaultEngine.render(String(task.format ?? ""), job.variables)) } };
  return { outputs: {} };
};

export interface Simulation {
  execution: Execution;
  /** Every job sent to the worker, in order. */
  jobs: WorkerJob[];
  /** Jobs running at once, the most seen. */
  maxConcurrentJobs: number;
  logs: LogEntry[];
  commands: ExecutorCommand[];
  /** Sends more events and runs until quiet again. */
  send(...events: ExecutorEvent[]): Promise<void>;
  /** Fires every pending delay (advancing the clock past it). */
  fireDelays(): Promise<void>;
  state: ExecutorState;
}

export interface SimulateOptions {
  script?: WorkerScript;
  inputs?: Record<string, unknown>;
  autoDelays?: boolean;
  /**
   * Changes one execution in place from step to step, as the runtime's working copy is (by
   * default each step gets a copy, so a test may keep an earlier `execution`).
   */
  inPlace?: boolean;
  /** Wraps each executor step (to measure or count around it); `step` runs the transition. */
  aroundStep?: (step: () => Promise<TransitionResult>) => Promise<TransitionResult>;
  /** Steps at the most per `send` (a flow that never ends stops a test there); 10,000 by default. */
  maxRounds?: number;
  /** Called with each template the executor renders. */
  onRender?: (template: string) => void;
}

export async function simulate(source: string, options: SimulateOptions = {}): Promise<Simulation> {
  const registry = coreRegistry();
  const flow = { ...parseFlow(source, { registry }), revision: 1 };
  const graph = compileFlowGraph(flow, registry);
  let clock = Date.parse("2024-01-01T00:00:00.000Z");
  let ids = 0;
  const script = options.script ?? defaultScript;
  const running = new Map<string, WorkerJob>();
  const delays: { at: number; event: ExecutorEvent }[] = [];
  const deps = {
    now: () => new Date((clock += 1)),
    newId: () => `tr${++ids}`,
    render: (template: string, variables: Record<string, unknown>, typed: boolean) => {
      options.onRender?.(template);
      return defaultEngine.renderAsync(template, variables, { typed });
    },
    renderValue: (value: unknown, variables: Record<string, unknown>) =>
      defaultEngine.renderValueAsync(value, variables),
    variables: (sources: VariableSources) => buildRunVariables(sources),
    countRunning: () => 0,
  };
  const aroundStep = options.aroundStep ?? ((step) => step());
  const sim: Simulation = {
    execution: {
      id: "exec",
      namespace: flow.namespace,
      flowId: flow.id,
      flowRevision: 1,
      taskRunList: [],
      labels: [],
      state: newState(new Date(clock)),
      originalId: "exec",
      deleted: false,
      metadata: { attemptNumber: 1, originalCreatedDate: new Date(clock).toISOString() },
      ...(options.inputs ? { inputs: options.inputs } : {}),
    },
    jobs: [],
    maxConcurrentJobs: 0,
    logs: [],
    commands: [],
    state: { dispatched: [] },
    async send(...events) {
      let pending: ExecutorEvent[] = events;
      for (let round = 0; round < (options.maxRounds ?? 10_000) && pending.length > 0; round++) {
        const execution = options.inPlace ? sim.execution : structuredClone(sim.execution);
        const events = pending;
        const result = await aroundStep(() => transition(graph, execution, sim.state, events, deps));
        sim.execution = result.execution;
        sim.state = result.state;
        sim.logs.push(...result.logs);
        sim.commands.push(...result.commands);
        pending = [];
        for (const command of result.commands) {
          if (command.type === "run-task") {
            sim.jobs.push(command.job);
            running.set(`${command.job.taskRunId}:${command.job.attempt}`, command.job);
          } else if (command.type === "delay") {
            delays.push({ at: command.delay.at, event: { type: "delay-fired", delay: command.delay } });
          } else if (command.type === "kill-tasks") {
            for (const [key, job] of running) {
              if (script(job, job.attempt).hang) {
                running.delete(key);
                pending.push({
                  type: "worker-result",
                  taskRunId: job.taskRunId,
                  attempt: job.attempt,
                  attemptState: "KILLED",
                  state: "KILLED",
                  outputs: null,
                  date: new Date(clock).toISOString(),
                });
              }
            }
          }
        }
        sim.maxConcurrentJobs = Math.max(sim.maxConcurrentJobs, running.size);
        for (const [key, job] of [...running]) {
          const outcome = script(job, job.attempt);
          if (outcome.hang) continue;
          running.delete(key);
          const state = outcome.state ?? "SUCCESS";
          const adjusted = state === "FAILED" && job.task.allowFailure === true ? "WARNING" : state;
          const date = new Date((clock += 1)).toISOString();
          pending.push(
            { type: "worker-started", taskRunId: job.taskRunId, attempt: job.attempt, date },
            {
              type: "worker-result",
              taskRunId: job.taskRunId,
              attempt: job.attempt,
              attemptState: state,
              state: adjusted,
              outputs: outcome.outputs ?? null,
              date,
            },
          );
        }
        if (pending.length === 0 && options.autoDelays !== false && delays.length > 0 && !running.size) {
          delays.sort((a, b) => a.at - b.at);
          const next = delays.shift()!;
          clock = Math.max(clock, next.at);
          pending.push(next.event);
        }
      }
    },
    async fireDelays() {
      const due = delays.splice(0);
      for (const d of due) {
        clock = Math.max(clock, d.at);
        await sim.send(d.event);
      }
    },
  };
  await sim.send({ type: "process" });
  return sim;
}

/** `taskId → [states]`, in task run order, for compact assertions. */
export function statesByTask(execution: Execution): Record<string, StateType[]> {
  const result: Record<string, StateType[]> = {};
  for (const t of execution.taskRunList) (result[t.taskId] ??= []).push(t.state.current);
  return result;
}
