/**
 * Grok's regular expressions run in worker threads, never on the worker's event loop: a
 * JavaScript regular expression cannot be interrupted inside one match, so one that backtracks
 * catastrophically (`(a+)+b` against a long line of a's) would hold the whole process, the API
 * and every other execution with it. A task run leases a thread for its matching; its stop (a
 * kill, its `timeout`) terminates the thread, and a later lease starts another. Threads are
 * reused; at most two task runs match at once, more wait for a thread (a stop ends the wait).
 */
import { Worker } from "node:worker_threads";

/** The named groups of one match (`RegExp.exec(…).groups`). */
export type Groups = Readonly<Record<string, string | undefined>>;

/** For each line, for each expression tried in order: the groups of its match, or null. */
export type LineMatches = ReadonlyArray<ReadonlyArray<Groups | null>>;

/** The thread's program: plain CommonJS, so that it runs from sources and from dist alike. */
const THREAD_SOURCE = `
const { parentPort } = require("node:worker_threads");
let regexes = [];
let breakOnFirstMatch = true;
parentPort.on("message", (message) => {
  if (message.regexes) {
    regexes = message.regexes.map((r) => new RegExp(r.source, r.flags));
    breakOnFirstMatch = message.breakOnFirstMatch;
    return;
  }
  const out = [];
  for (const line of message.lines) {
    const found = [];
    for (const regex of regexes) {
      const match = regex.exec(line);
      found.push(match ? match.groups || {} : null);
      if (match && breakOnFirstMatch) break;
    }
    out.push(found);
  }
  parentPort.postMessage(out);
});
`;

const MAX_THREADS = 2;
/** Threads ready for a lease, none of them matching. */
const idle: Worker[] = [];
/** Threads that errored or exited: never leased again. */
const dead = new WeakSet<Worker>();
let busy = 0;
const waiting: Array<() => void> = [];

/** Takes a slot, waiting for one when every slot is busy; a stop ends the wait. */
async function slot(signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  if (busy < MAX_THREADS) {
    busy++;
    return;
  }
  // a freed slot is handed to the first waiter as it is (`busy` unchanged), so no other lease
  // can take it in between
  await new Promise<void>((resolve, reject) => {
    const ready = () => {
      signal.removeEventListener("abort", abort);
      resolve();
    };
    const abort = () => {
      waiting.splice(waiting.indexOf(ready), 1);
      reject(signal.reason);
    };
    waiting.push(ready);
    signal.addEventListener("abort", abort, { once: true });
  });
}

function freeSlot(): void {
  const next = waiting.shift();
  if (next) next();
  else busy--;
}

/** A new thread; one that errors or exits (even while idle) is dropped, never leased again. */
function spawn(): Worker {
  const worker = new Worker(THREAD_SOURCE, { eval: true });
  const drop = () => {
    dead.add(worker);
    const at = idle.indexOf(worker);
    if (at >= 0) idle.splice(at, 1);
  };
  worker.on("error", drop);
  worker.on("exit", drop);
  return worker;
}

/** A thread leased to one task run: its expressions set, lines matched a batch at a time. */
export class GrokThread {
  private broken = false;
  private released = false;
  /** Ends the match in flight (terminating the thread), if one is. */
  private inFlight: ((error: unknown) => void) | undefined;

  private constructor(
    private readonly worker: Worker,
    private readonly signal: AbortSignal,
  ) {}

  /** Waits for a thread and gives it `regexes`; `release()` it when done. */
  static async lease(regexes: readonly RegExp[], breakOnFirstMatch: boolean, signal: AbortSignal): Promise<GrokThread> {
    await slot(signal);
    try {
      let worker = idle.pop();
      while (worker && dead.has(worker)) worker = idle.pop();
      worker ??= spawn();
      worker.unref();
      worker.postMessage({ regexes: regexes.map((r) => ({ source: r.source, flags: r.flags })), breakOnFirstMatch });
      return new GrokThread(worker, signal);
    } catch (error) {
      freeSlot();
      throw error;
    }
  }

  /** The matches of each line; the run's stop terminates the thread and rejects with its reason. */
  match(lines: readonly string[]): Promise<LineMatches> {
    this.signal.throwIfAborted();
    if (this.broken || this.released || this.inFlight || dead.has(this.worker))
      throw new Error("grok: the matching thread is no longer usable");
    const { worker, signal } = this;
    return new Promise<LineMatches>((resolve, reject) => {
      const done = () => {
        this.inFlight = undefined;
        worker.off("message", onMessage);
        worker.off("error", onError);
        worker.off("exit", onExit);
        signal.removeEventListener("abort", onAbort);
        worker.unref();
      };
      const fail = (error: unknown) => {
        done();
        this.broken = true;
        void worker.terminate();
        reject(error);
      };
      const onMessage = (matches: LineMatches) => {
        done();
        resolve(matches);
      };
      const onError = (error: Error) => fail(error);
      const onExit = () => fail(new Error("grok: the matching thread stopped"));
      const onAbort = () => fail(signal.reason);
      this.inFlight = fail;
      worker.on("message", onMessage);
      worker.on("error", onError);
      worker.on("exit", onExit);
      signal.addEventListener("abort", onAbort, { once: true });
      // matching keeps the process alive, as the task's own work would
      worker.ref();
      worker.postMessage({ lines });
    });
  }

  /**
   * Gives the thread back: kept for the next lease when it is idle and sound. One still matching
   * (its caller gave up on the answer, e.g. the storage failed meanwhile) is terminated: its
   * answer must reach no one, and a stuck pattern must not keep it busy.
   */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.inFlight?.(new Error("grok: the matching thread was released while matching"));
    if (!this.broken && !dead.has(this.worker) && idle.length < MAX_THREADS) idle.push(this.worker);
    else if (!this.broken) void this.worker.terminate();
    freeSlot();
  }
}
