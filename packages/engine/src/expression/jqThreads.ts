/**
 * jq runs in worker threads, never on the caller's thread: jq (WebAssembly) cannot be interrupted,
 * so a call past its time budget is stopped by terminating its thread, and a call past its memory
 * budget fails inside the thread (the WebAssembly heap may not grow past it; the thread's
 * JavaScript heap is capped too). Threads load jq on their first call and are reused; a thread that
 * was terminated or broke is replaced by a new one on the next call. At most two calls run at once;
 * more wait for a thread (their time budget starts when they run; a task's signal ends the wait).
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import { SakerError } from "@saker/sdk";
import { shown } from "../model/shown.ts";

export class JqBudgetError extends SakerError {
  static override readonly kind: string = "JqBudgetError";
}

export interface JqCall {
  input: string;
  filter: string;
  timeoutMs: number;
  memoryMb: number;
  signal?: AbortSignal | undefined;
}

type Reply = { output?: string; error?: string; exitCode?: number; memoryExceeded?: boolean };

/** The thread's program: plain CommonJS, so that it runs from sources and from dist alike. */
const THREAD_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
console.log = console.warn = console.error = () => {};
const limit = workerData.memoryMb * 1024 * 1024;
let memoryExceeded = false;
const grow = WebAssembly.Memory.prototype.grow;
WebAssembly.Memory.prototype.grow = function (pages) {
  if (this.buffer.byteLength + pages * 65536 > limit) { memoryExceeded = true; throw new RangeError("jq memory budget exceeded"); }
  return grow.call(this, pages);
};
let jq;
parentPort.on("message", async ({ input, filter }) => {
  try {
    jq ??= await require(workerData.jqPath);
    parentPort.postMessage({ output: jq.raw(input, filter, ["-c"]) ?? "" });
  } catch (error) {
    const stderr = typeof error.stderr === "string" ? error.stderr : "";
    parentPort.postMessage({ error: stderr || String(error && error.message || error), exitCode: error.exitCode, memoryExceeded });
  }
});
`;

const MAX_THREADS = 2;
const require = createRequire(import.meta.url);
let jqPath: string | undefined;

interface Thread {
  worker: Worker;
  memoryMb: number;
}

const idle: Thread[] = [];
let running = 0;
const waiting: (() => void)[] = [];

function spawn(memoryMb: number): Thread {
  jqPath ??= require.resolve("jq-web");
  const worker = new Worker(THREAD_SOURCE, {
    eval: true,
    workerData: { jqPath, memoryMb },
    resourceLimits: { maxOldGenerationSizeMb: memoryMb, maxYoungGenerationSizeMb: Math.min(64, memoryMb) },
  });
  worker.unref();
  return { worker, memoryMb };
}

async function slot(signal: AbortSignal | undefined): Promise<void> {
  if (running < MAX_THREADS) {
    running++;
    return;
  }
  await new Promise<void>((resolve, reject) => {
    const ready = () => {
      signal?.removeEventListener("abort", abort);
      resolve();
    };
    const abort = () => {
      waiting.splice(waiting.indexOf(ready), 1);
      reject(signal!.reason);
    };
    waiting.push(ready);
    signal?.addEventListener("abort", abort, { once: true });
  });
  running++;
}

function release(): void {
  running--;
  waiting.shift()?.();
}

/** Runs one jq call in a thread; resolves to jq's compact output. */
export async function runInThread(call: JqCall): Promise<string> {
  call.signal?.throwIfAborted();
  await slot(call.signal);
  const index = idle.findIndex((t) => t.memoryMb === call.memoryMb);
  const thread = index >= 0 ? idle.splice(index, 1)[0]! : spawn(call.memoryMb);
  let reusable = false;
  try {
    const reply = await exchange(thread, call);
    if (reply.output !== undefined) {
      reusable = true;
      return reply.output;
    }
    if (reply.memoryExceeded) throw memoryBudgetError(call);
    // A jq error (bad filter, error()) leaves the thread usable; an abort of the WebAssembly module does not.
    reusable = reply.exitCode !== undefined;
    throw new JqFailure(reply.error ?? "jq failed");
  } finally {
    if (reusable && idle.length < MAX_THREADS) {
      thread.worker.unref();
      idle.push(thread);
    } else void thread.worker.terminate();
    release();
  }
}

/** jq's own error (a bad filter, `error()`), as opposed to a budget. */
export class JqFailure extends Error {
  override readonly name = "JqFailure";
}

/** The call's memory budget is spent (inside the WebAssembly heap, or the thread's JavaScript heap). */
function memoryBudgetError(call: JqCall): JqBudgetError {
  return new JqBudgetError(
    "JQ_MEMORY",
    `jq '${shown(call.filter)}' used more than its memory budget of ${call.memoryMb} MB (expressions.jqMemoryMb)`,
  );
}

function exchange(thread: Thread, call: JqCall): Promise<Reply> {
  const { worker } = thread;
  worker.ref();
  return new Promise<Reply>((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      call.signal?.removeEventListener("abort", onAbort);
      worker.off("message", onMessage);
      worker.off("error", onError);
      worker.off("exit", onExit);
    };
    const fail = (error: unknown) => {
      done();
      void worker.terminate();
      reject(error);
    };
    const onMessage = (reply: Reply) => {
      done();
      resolve(reply);
    };
    const onError = (error: Error) => {
      const outOfMemory = (error as { code?: string }).code === "ERR_WORKER_OUT_OF_MEMORY";
      fail(outOfMemory ? memoryBudgetError(call) : error);
    };
    const onExit = () => fail(new Error(`the jq thread stopped while running '${shown(call.filter)}'`));
    const onAbort = () => fail(call.signal!.reason);
    const timer = setTimeout(
      () =>
        fail(
          new JqBudgetError(
            "JQ_TIMEOUT",
            `jq '${shown(call.filter)}' did not finish within its time budget of ${call.timeoutMs} ms (expressions.jqTimeoutMs) and was stopped`,
          ),
        ),
      call.timeoutMs,
    );
    worker.on("message", onMessage);
    worker.on("error", onError);
    worker.on("exit", onExit);
    call.signal?.addEventListener("abort", onAbort, { once: true });
    worker.postMessage({ input: call.input, filter: call.filter });
  });
}

/** Stops every idle jq thread (tests, shutdown). */
export async function closeJqThreads(): Promise<void> {
  await Promise.all(idle.splice(0).map((t) => t.worker.terminate()));
}
