/**
 * WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside the COMMIT that
 * crosses its threshold: it copies every page of the WAL into the database file and syncs both,
 * on the thread that committed. Here a worker thread, with a connection of its own, runs passive
 * checkpoints (which never block a writer) every `intervalMs`, and the connection's automatic
 * checkpoint waits for a larger WAL (`limitPages`).
 *
 * - The thread starts once the WAL first passes `START_PAGES` pages (a short-lived database, as
 *   most tests open, never starts one; the connection's close checkpoints it as before).
 * - The thread's checkpoints cannot reset a WAL that a writer keeps appending to (what was
 *   appended while one ran is left): SQLite starts the WAL over only at a transaction that finds it
 *   wholly checkpointed. The connection's own automatic checkpoint, at `limitPages`, does that:
 *   it copies the rest (little: the thread did the bulk) in the commit, and the next transaction
 *   starts the WAL over; `journal_size_limit` cuts the file back. The thread leaves a WAL past the
 *   limit alone (its checkpoints would make the connection's fail as busy). The connection's
 *   checkpoint is also the bound while the thread has not started (the event loop too busy to).
 * - A thread that fails or dies gives the checkpoints back to the connection (automatic again).
 * - `stop()` (the connection's `close()`) waits until the thread has closed its connection, so
 *   that the closing connection is the last one and checkpoints and removes the WAL as before.
 *
 * Durability does not change: commits are written to the WAL exactly as before; a checkpoint
 * syncs the WAL before copying it and the database file after, on whichever thread runs it.
 */
import { statSync } from "node:fs";
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type Database from "better-sqlite3";

type SqliteDatabase = Database.Database;

/** SQLite's own automatic checkpoint threshold: the WAL's size before the thread starts. */
export const START_PAGES = 1000;

export interface CheckpointerOptions {
  /** The connection's automatic checkpoint threshold (default 4096: 16 MiB of 4 KiB pages). */
  limitPages?: number;
  /** How often the main thread looks at the WAL's size before the thread starts (ms). */
  watchMs?: number;
  /** How often the thread checkpoints (ms). */
  intervalMs?: number;
  /** Told when the thread stops by itself (an error), the checkpoints back on the connection. */
  onFallback?(why: string): void;
}

/** The thread's program: plain CommonJS, so that it runs from sources and from dist alike. */
const THREAD_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { statSync } = require("node:fs");
const done = new Int32Array(workerData.done);
/** Tells the waiting close() that this thread holds no connection any more. */
function released() {
  Atomics.store(done, 0, 1);
  Atomics.notify(done, 0);
}
let db;
try {
  const Database = require(workerData.driver);
  db = new Database(workerData.file, { fileMustExist: true });
  db.pragma("busy_timeout = 5000");
  db.pragma("synchronous = NORMAL");
  db.pragma("wal_autocheckpoint = 0");
} catch (error) {
  released();
  throw error;
}
function checkpoint() {
  // past the limit, the connection's own checkpoint has the WAL to itself: it can then restart it
  const wal = statSync(workerData.file + "-wal", { throwIfNoEntry: false });
  if (wal && wal.size > workerData.limitBytes) return;
  try {
    db.pragma("wal_checkpoint(PASSIVE)");
  } catch (error) {
    // busy (a long write or read): the next round tries again
    if (String(error && error.code).startsWith("SQLITE_BUSY")) return;
    stop();
    throw error;
  }
}
function stop() {
  clearInterval(timer);
  try {
    if (db.open) db.close();
  } finally {
    released();
    parentPort.close();
  }
}
parentPort.on("message", (message) => {
  if (message === "stop") stop();
});
const timer = setInterval(checkpoint, workerData.intervalMs);
checkpoint();
`;

const require = createRequire(import.meta.url);

/** The checkpoints of one database file's connection. */
export class Checkpointer {
  private worker: Worker | undefined;
  private watch: NodeJS.Timeout | undefined;
  private done: Int32Array | undefined;
  private stopped = false;
  private readonly wal: string;
  private readonly limitPages: number;
  private readonly pageSize: number;
  /** Resolves once the thread (the last one started) has exited; at once when none was. */
  exited: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: SqliteDatabase,
    private readonly options: CheckpointerOptions = {},
  ) {
    this.wal = `${db.name}-wal`;
    this.limitPages = options.limitPages ?? 4096;
    const pageSize = (this.pageSize = db.pragma("page_size", { simple: true }) as number);
    db.pragma(`journal_size_limit = ${this.limitPages * pageSize}`);
    db.pragma(`wal_autocheckpoint = ${this.limitPages}`);
    const startBytes = START_PAGES * pageSize;
    this.watch = setInterval(() => {
      if (this.walBytes() >= startBytes) this.start();
    }, options.watchMs ?? 250);
    this.watch.unref();
  }

  /** Whether the thread runs. */
  get running(): boolean {
    return this.worker !== undefined;
  }

  /** The WAL file's size in bytes (0 when there is none). */
  walBytes(): number {
    try {
      return statSync(this.wal).size;
    } catch {
      return 0;
    }
  }

  /** Starts the thread now (it starts by itself once the WAL is large). */
  start(): void {
    if (this.stopped || this.worker) return;
    clearInterval(this.watch);
    this.watch = undefined;
    const done = new Int32Array(new SharedArrayBuffer(4));
    let failure = "";
    const worker = new Worker(THREAD_SOURCE, {
      eval: true,
      // not the parent's flags (a `--conditions source` would load TypeScript sources)
      execArgv: [],
      workerData: {
        driver: require.resolve("better-sqlite3"),
        file: this.db.name,
        // the file's size once it holds `limitPages` frames (a header of 32 bytes, 24 per frame)
        limitBytes: 32 + this.limitPages * (this.pageSize + 24),
        intervalMs: this.options.intervalMs ?? 100,
        done: done.buffer,
      },
    });
    worker.unref();
    this.exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
    worker.on("error", (error) => (failure = error.message));
    worker.on("exit", (code) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.done = undefined;
      if (this.stopped) return;
      // the thread died: the connection checkpoints by itself again
      this.stopped = true;
      if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${START_PAGES}`);
      this.options.onFallback?.(failure || `exit code ${code}`);
    });
    this.worker = worker;
    this.done = done;
  }

  /**
   * Stops the thread, waiting (up to `timeoutMs`) until it has closed its connection. Returns
   * the thread's exit (resolves at once when there is none).
   */
  stop(timeoutMs = 10_000): Promise<void> {
    this.stopped = true;
    clearInterval(this.watch);
    this.watch = undefined;
    const worker = this.worker;
    const done = this.done;
    if (!worker || !done) return this.exited;
    worker.postMessage("stop");
    // a thread starting (loading the driver) takes the message once it listens
    Atomics.wait(done, 0, 0, timeoutMs);
    this.worker = undefined;
    this.done = undefined;
    if (Atomics.load(done, 0) !== 1) void worker.terminate();
    return this.exited;
  }
}
