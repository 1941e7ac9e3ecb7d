/**
 * The task run's `ctx.signal`: made from the run's own stop when a plugin reads it, an enumerable
 * property of each context, and one getter for all of them (see SIGNAL in runContext.ts: a getter
 * of each context's own made V8 turn every context into a dictionary, and kept its task run's
 * objects through the scavenges until a full collection).
 */
import { describe, expect, it } from "vitest";
import type { WorkerJob } from "../executor/types.ts";
import { KillSwitch, type Abortable } from "../model/killSwitch.ts";
import { createRunContext, type RunContextParts } from "./runContext.ts";

const job = (taskRunId: string): WorkerJob =>
  ({
    executionId: "ex1",
    taskRunId,
    attempt: 1,
    flow: { tenantId: "main", namespace: "company.team", id: "f", revision: 1 },
    task: { id: "t", type: "io.kestra.plugin.core.debug.Return" },
    variables: {},
  }) as unknown as WorkerJob;

/** The parts `signal` does not reach are left out: only the stop matters here. */
const contextOf = (taskRunId: string, stop: Abortable) =>
  createRunContext({
    job: job(taskRunId),
    stop,
    tmpDir: "/tmp",
    pluginConfiguration: {},
  } as unknown as RunContextParts);

describe("RunContext.signal", () => {
  it("is made from the task run's own stop when read, and aborts with it", () => {
    const kill = new KillSwitch();
    const other = new KillSwitch();
    const ctx = contextOf("r1", kill);
    const otherCtx = contextOf("r2", other);
    const signal = ctx.signal;
    expect(signal).toBeInstanceOf(AbortSignal);
    expect(ctx.signal).toBe(signal);
    expect(signal.aborted).toBe(false);
    kill.abort(new Error("killed"));
    expect(signal.aborted).toBe(true);
    expect((signal.reason as Error).message).toBe("killed");
    expect(otherCtx.signal.aborted).toBe(false);
  });

  it("gives an AbortSignal stop as it is", () => {
    const controller = new AbortController();
    expect(contextOf("r1", controller.signal).signal).toBe(controller.signal);
  });

  it("is an enumerable property of each context, copied by a spread", () => {
    const kill = new KillSwitch();
    const ctx = contextOf("r1", kill);
    expect(Object.keys(ctx)).toContain("signal");
    const copy = { ...ctx };
    expect(copy.signal).toBe(ctx.signal);
  });

  it("is one getter for every context", () => {
    const first = Object.getOwnPropertyDescriptor(contextOf("r1", new KillSwitch()), "signal");
    const second = Object.getOwnPropertyDescriptor(contextOf("r2", new KillSwitch()), "signal");
    expect(first?.get).toBeTypeOf("function");
    expect(second?.get).toBe(first?.get);
  });
});
