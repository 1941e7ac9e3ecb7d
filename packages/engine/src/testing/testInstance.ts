/**
 * A real instance on a temporary data folder, for tests: SQLite file, storage folder, executor
 * and workers, exactly as `saker server local` runs them. With `SAKER_TEST_BACKEND=postgres` the
 * instance runs on a fresh PostgreSQL database instead (created on `SAKER_TEST_POSTGRES_URL`'s
 * server, dropped at `close()`): the same tests, on the other backend.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Backend } from "../backend/backend.ts";
import type { LogLevel } from "@saker/sdk";
import type { Execution } from "../model/execution.ts";
import type { PluginRegistry } from "../plugins/registry.ts";
import { SyncPostgres, syncTestStores } from "../backend/postgres/syncBridge.ts";
import { createTestDatabase, type TestDatabase } from "../backend/postgres/testDatabase.ts";
import { loadConfig } from "../runtime/config.ts";
import { Instance } from "../runtime/instance.ts";
import { toStoragePath } from "../storage/paths.ts";
import { streamToBuffer } from "../storage/streams.ts";

export interface TestInstance {
  instance: Instance;
  home: string;
  /** Deploys the flow, runs it and resolves when it ended (or paused with nothing pending). */
  run(source: string, inputs?: Record<string, unknown>, timeoutMs?: number): Promise<Execution>;
  /**
   * Closes the instance. On PostgreSQL its database is dropped, unless `keepDatabase` (a test that
   * opens its home again, as a restart finds the SQLite file): the next open of the home finds it.
   */
  close(options?: { keepDatabase?: boolean }): Promise<void>;
}

export interface TestInstanceOptions {
  env?: Record<string, string | undefined>;
  overrides?: Record<string, unknown>;
  registry?: PluginRegistry;
  home?: string;
  /** Run the scheduler (clock, Flow triggers, stopAfter). */
  scheduler?: boolean;
  /** Run the executor / a worker in this instance (default true): false for an API-only process of a cluster. */
  executor?: boolean;
  worker?: boolean;
}

/** The backend test instances run on: `SAKER_TEST_BACKEND` (`sqlite`, the default, or `postgres`). */
export function testBackend(): "sqlite" | "postgres" {
  const name = process.env.SAKER_TEST_BACKEND ?? "sqlite";
  if (name !== "sqlite" && name !== "postgres")
    throw new Error(`SAKER_TEST_BACKEND must be sqlite or postgres, not '${name}'`);
  return name;
}

/** The PostgreSQL database of each test home: an instance opened again on a home finds its data, as on SQLite. */
const databasesByHome = new Map<string, TestDatabase>();

export async function openTestInstance(options: TestInstanceOptions = {}): Promise<TestInstance> {
  const home = options.home ?? mkdtempSync(join(tmpdir(), "saker-test-"));
  const overrides: Record<string, unknown> = { home, ...(options.overrides ?? {}) };
  let database: TestDatabase | undefined;
  // a test that sets its own database keeps it
  if (testBackend() === "postgres" && overrides.database === undefined) {
    database = databasesByHome.get(home) ?? (await createTestDatabase());
    databasesByHome.set(home, database);
    overrides.database = { type: "postgres", url: database.url };
  }
  // Only the plugins a test registers: bundled ones are off unless the test's env sets SAKER_PLUGINS_BUNDLED_PATH.
  const config = loadConfig({
    env: { SAKER_PLUGINS_BUNDLED_PATH: "", ...(options.env ?? {}) },
    overrides,
    cwd: home,
  });
  let instance: Instance;
  try {
    instance = await Instance.open(config, {
      ...(options.registry ? { registry: options.registry } : {}),
      ...(options.scheduler ? { scheduler: true } : {}),
      ...(options.executor === false ? { executor: false } : {}),
      ...(options.worker === false ? { worker: false } : {}),
    });
  } catch (error) {
    databasesByHome.delete(home);
    await database?.drop();
    throw error;
  }
  // The tests' synchronous reads (`instance.executions.get`…) answered from PostgreSQL (tests only).
  const sync = database ? new SyncPostgres(database.url) : undefined;
  if (sync) {
    for (const [name, stores] of Object.entries(syncTestStores(sync)))
      Object.defineProperty(instance, name, { value: stores, configurable: true });
  }
  return {
    instance,
    home,
    async run(source, inputs = {}, timeoutMs = 20_000) {
      const { flow } = await instance.deploy(source);
      const created = await instance.createExecution(flow.namespace, flow.id, { inputs });
      return instance.waitForSettled(created.id, timeoutMs);
    },
    async close({ keepDatabase = false } = {}) {
      await instance.close();
      await sync?.close();
      // a home's database goes with the first of its instances to close (as its folder does on SQLite)
      if (database && !keepDatabase && databasesByHome.get(home) === database) {
        databasesByHome.delete(home);
        await database.drop();
      }
      if (!options.home) rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Two processes of a cluster on one fresh PostgreSQL database (see `openCluster`). */
export interface TestCluster {
  database: TestDatabase;
  /** Runs the executor and the worker. */
  runner: TestInstance;
  /** Runs neither: what it queues, the runner takes from the database. */
  api: TestInstance;
  close(): Promise<void>;
}

/** A fresh PostgreSQL database with two instances on it; `runner` gets `runnerOverrides` too. */
export async function openCluster(runnerOverrides: Record<string, unknown> = {}): Promise<TestCluster> {
  const { database, instances, close } = await openOnPostgres(
    { overrides: runnerOverrides },
    { executor: false, worker: false },
  );
  const [runner, api] = instances as [TestInstance, TestInstance];
  return { database, runner, api, close };
}

/** Processes of a cluster on one fresh PostgreSQL database, each opened with its own options. */
export interface PostgresInstances {
  database: TestDatabase;
  /** One per option set given, in that order. */
  instances: TestInstance[];
  /** Closes the instances (the last opened first), then drops the database. */
  close(): Promise<void>;
}

/** A fresh PostgreSQL database and one test instance on it per option set (its roles, overrides…). */
export async function openOnPostgres(...members: TestInstanceOptions[]): Promise<PostgresInstances> {
  const database = await createTestDatabase();
  const onDatabase = { database: { type: "postgres", url: database.url } };
  const instances: TestInstance[] = [];
  const close = async () => {
    for (const instance of instances.splice(0).reverse()) await instance.close();
    await database.drop();
  };
  try {
    for (const member of members)
      instances.push(await openTestInstance({ ...member, overrides: { ...onDatabase, ...member.overrides } }));
  } catch (error) {
    await close();
    throw error;
  }
  return { database, instances, close };
}

/**
 * A stand-in for a test instance opened later (in a `beforeAll`), forwarding to what `current`
 * returns, so that a test file's set-up helper can hand it out while the tests are declared.
 */
export function deferredTestInstance(current: () => TestInstance | undefined): TestInstance {
  const opened = (): TestInstance => {
    const test = current();
    if (!test) throw new Error("the test instance is used before it was opened (outside the tests)");
    return test;
  };
  return {
    get instance() {
      return opened().instance;
    },
    get home() {
      return opened().home;
    },
    run: (...args) => opened().run(...args),
    close: (options) => opened().close(options),
  };
}

/** The task runs of one task, in creation order. */
export function taskRuns(execution: Execution, taskId: string) {
  return execution.taskRunList.filter((t) => t.taskId === taskId);
}

/** The one task run of `taskId`; throws, naming the task runs there are, when there is none. */
export function taskRun(execution: Execution, taskId: string) {
  const run = execution.taskRunList.find((t) => t.taskId === taskId);
  if (!run) throw new Error(`no task run '${taskId}' in ${JSON.stringify(execution.taskRunList.map((t) => t.taskId))}`);
  return run;
}

/** The raw text of a file in the instance's storage (`kestra://…`). */
export async function storedText(test: TestInstance, uri: string): Promise<string> {
  return (await streamToBuffer(await test.instance.storage.get(toStoragePath(uri)))).toString("utf8");
}

/** The outputs of the first task run of a task. */
export function outputsOf(execution: Execution, taskId: string): Record<string, unknown> {
  return taskRuns(execution, taskId)[0]!.outputs as Record<string, unknown>;
}

/** The log messages of a task in an execution at `minLevel` or above. */
export function logMessages(test: TestInstance, execution: Execution, taskId: string, minLevel: LogLevel): string[] {
  return test.instance.logs.find({ executionId: execution.id, taskId, minLevel }).map((l) => l.message);
}

/** The ERROR log messages of a task in an execution. */
export function errorMessages(test: TestInstance, execution: Execution, taskId: string): string[] {
  return logMessages(test, execution, taskId, "ERROR");
}

/** Resolves with the first defined value `probe` gives, polling until `timeoutMs`. */
export async function eventually<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 10_000,
  what = "a condition",
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Counts the transactions run through a backend from now on (every commit of the loops goes through it). */
export function countTransactions(backend: Backend): { count: number } {
  const counter = { count: 0 };
  const original = backend.transaction.bind(backend);
  backend.transaction = <T>(fn: (tx: Backend) => Promise<T>) => {
    counter.count++;
    return original(fn);
  };
  return counter;
}

/** The YAML of `count` sequential Log tasks `t0`, `t1`… (each logs "line <its id>"), as a flow's task items. */
export function logTaskItems(count: number): string {
  return Array.from(
    { length: count },
    (_, i) => `  - id: t${i}\n    type: io.kestra.plugin.core.log.Log\n    message: "line {{ task.id }}"\n`,
  ).join("");
}

/**
 * Makes the instance's database refuse the writes a trigger clause names (`BEFORE DELETE ON queue
 * WHEN …`) `times` times, then lets them through: each refused transaction is rolled back and
 * reaches the engine as an error, or with `asDiskFull` as a full disk. Counts the refusals.
 */
export function refuseWrites(
  instance: Instance,
  clause: string,
  times: number,
  options: { asDiskFull?: boolean } = {},
): { count: number } {
  const message = "refused by the test";
  instance.db.exec(`CREATE TEMP TRIGGER refuse_writes ${clause} BEGIN SELECT RAISE(ABORT, '${message}'); END`);
  const refused = { count: 0 };
  const backend = instance.backend;
  const original = backend.transaction.bind(backend);
  backend.transaction = async <T>(fn: (tx: Backend) => Promise<T>) => {
    try {
      return await original(fn);
    } catch (error) {
      if (!(error instanceof Error) || error.message !== message || refused.count >= times) throw error;
      if (++refused.count === times) instance.db.exec("DROP TRIGGER refuse_writes");
      if (options.asDiskFull) throw Object.assign(new Error("disk full (test)"), { code: "SQLITE_FULL" });
      throw error;
    }
  };
  return refused;
}

/** YAML of one task under a flow's `tasks:`: `id`, `type`, then the `props` lines indented under it. */
export function taskYaml(id: string, type: string, props: string): string {
  const body = props
    .trim()
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n");
  return `  - id: ${id}\n    type: ${type}\n${body}\n`;
}
