/**
 * Test support: the databases this machine runs, and an engine instance with this plugin
 * registered. With CI=true a database that does not answer fails the tests; locally they are
 * skipped with a message saying which service is missing.
 */
import type pg from "pg";
import type mysql from "mysql2/promise";
import { expect } from "vitest";

export const PG_URL = process.env.SAKER_TEST_PG_URL ?? "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";
export const MARIADB_URL = process.env.SAKER_TEST_MARIADB_URL ?? "jdbc:mariadb://127.0.0.1:3306/test?user=root";

export { portOpen, serviceAvailable } from "@saker/engine/testing";

/**
 * PG_URL with its own ApplicationName, so that a test counts only its own file's connections:
 * other test files use the database `test` at the same time.
 */
export function pgUrlNamed(applicationName: string): string {
  return `${PG_URL}${PG_URL.includes("?") ? "&" : "?"}ApplicationName=${applicationName}`;
}

/**
 * The server's clock now: the connections a test opens are those started after it, so that a
 * connection an earlier test closed and the server has not ended yet is not counted against it.
 */
export async function pgClockMark(admin: pg.Client): Promise<Date> {
  const { rows } = await admin.query("select clock_timestamp() as at");
  return rows[0].at as Date;
}

/**
 * Connections to the PostgreSQL database `test` opened under `applicationName` (see pgUrlNamed)
 * after `mark` (see pgClockMark), once the server has ended those that were closed: 0 unless
 * some were left open.
 */
export function pgConnectionsLeftSince(admin: pg.Client, applicationName: string, mark: Date): Promise<number> {
  return settledToZero(() => pgConnectionsSince(admin, applicationName, mark));
}

async function pgConnectionsSince(admin: pg.Client, applicationName: string, mark: Date): Promise<number> {
  const { rows } = await admin.query(
    "select count(*)::int as n from pg_stat_activity where datname = 'test' and application_name = $1 and backend_start > $2",
    [applicationName, mark],
  );
  return rows[0].n as number;
}

/**
 * The newest server thread id on MariaDB. Thread ids only grow, so the threads a test opens are
 * those above the mark taken when it starts: a connection of an earlier test that the server has not
 * dropped yet is not counted against it.
 */
export async function mysqlThreadMark(admin: mysql.Connection): Promise<number> {
  const [rows] = await admin.query("select max(id) as id from information_schema.processlist");
  return Number((rows as { id: number }[])[0]!.id);
}

/**
 * Server threads on the MariaDB database `test` opened after `mark` (see mysqlThreadMark), once
 * the server has dropped those that were closed: 0 unless some were left open.
 */
export function mysqlThreadsLeftSince(admin: mysql.Connection, mark: number): Promise<number> {
  return settledToZero(() => mysqlThreadsSince(admin, mark));
}

async function mysqlThreadsSince(admin: mysql.Connection, mark: number): Promise<number> {
  const [rows] = await admin.query(
    "select count(*) as n from information_schema.processlist where db = 'test' and id > ?",
    [mark],
  );
  return Number((rows as { n: number }[])[0]!.n);
}

/**
 * The count once it reached 0, or the last one after 4 s: a closed connection may linger on the
 * server for a moment after the client let it go.
 */
async function settledToZero(count: () => Promise<number>): Promise<number> {
  let n = await count();
  for (let i = 0; i < 40 && n !== 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    n = await count();
  }
  return n;
}

import {
  coreRegistry,
  ionValues,
  openTestInstance,
  taskYaml,
  toStoragePath,
  type TestInstance,
} from "@saker/engine/testing";
import jdbc from "../src/index.ts";

/** A real engine instance (SQLite backend, local storage) with the core plugin and this one. */
export async function jdbcInstance(
  options: { env?: Record<string, string>; overrides?: Record<string, unknown> } = {},
): Promise<TestInstance> {
  const registry = coreRegistry();
  registry.addPlugin({ name: "@saker/plugin-jdbc", version: "1.0.0", core: false }, jdbc);
  return openTestInstance({ registry, ...options });
}

/** The values of an ION file in the instance's storage, read with the engine's reader. */
export async function storedRows(test: TestInstance, uri: string): Promise<unknown[]> {
  const values: unknown[] = [];
  for await (const value of ionValues(await test.instance.storage.get(toStoragePath(uri)))) values.push(value);
  return values;
}

export { storedText, taskRun } from "@saker/engine/testing";

/** A flow with one task, `props` as YAML lines under it. */
export function flow(id: string, type: string, props: string, extraTasks = ""): string {
  const indented = props
    .trim()
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n");
  return `id: ${id}\nnamespace: company.jdbc\ntasks:\n  - id: q\n    type: ${type}\n${indented}\n${extraTasks}`;
}

/** The ERROR log lines of an execution. */
export function errorLines(test: TestInstance, executionId: string): string[] {
  return test.instance.logs.find({ executionId, minLevel: "ERROR" }).map((e) => e.message);
}

/** The flow builders of a `Batch` test: `batchType` against `url`, its source rows stored by `queryType`. */
export function batchFlows(batchType: string, queryType: string, url: string) {
  return {
    /** A flow: `source` (YAML of tasks, the first with id `source`) then the Batch task `batch` with `props`. */
    batchFlow(id: string, source: string, props: string): string {
      const withUrl = /^url:/m.test(props) ? props : `url: ${url}\n${props.trim()}`;
      return `id: ${id}\nnamespace: company.jdbc\ntasks:\n${source}${taskYaml("batch", batchType, withUrl)}`;
    },
    /** A task `source` storing the rows of `sql`. */
    store: (sql: string, extra = "") =>
      `  - id: source\n    type: ${queryType}\n    url: ${url}\n    fetchType: STORE\n    sql: "${sql}"\n${extra}`,
    /** A task `source` writing Ion lines. */
    write: (lines: string[]) =>
      `  - id: source\n    type: io.kestra.plugin.core.storage.Write\n    extension: .ion\n    content: ${JSON.stringify(lines.length ? `${lines.join("\n")}\n` : "")}\n`,
  };
}

/**
 * Runs `flowYaml`, which must fail, and gives its error lines: no password (`hunter2`) in any
 * of its logs and no stack trace in its errors.
 */
export async function failedRun(test: TestInstance, flowYaml: string): Promise<string> {
  const execution = await test.run(flowYaml);
  expect(execution.state.current).toBe("FAILED");
  const all = test.instance.logs.find({ executionId: execution.id }).map((e) => e.message);
  expect(all.join("\n")).not.toContain("hunter2");
  const text = errorLines(test, execution.id).join("\n");
  expect(text).not.toMatch(/\n\s+at /);
  return text;
}
