/**
 * `@saker/plugin-jdbc`: Kestra's `io.kestra.plugin.jdbc.*` for PostgreSQL, MySQL, MariaDB, SQLite
 * and DuckDB: `Query`, `Queries` and a polling `Trigger` for each, plus PostgreSQL's `CopyIn` and
 * `CopyOut`, and `Batch` (insert the rows of an Ion file) for PostgreSQL and MySQL/MariaDB.
 *
 * Plugin configuration (`plugins.configurations` with `type: io.kestra.plugin.jdbc`):
 * `maxFetchRows` (default 100000), the most rows `fetchType: FETCH` keeps in memory.
 *
 * @module
 */
import { definePlugin } from "@saker/sdk";
import { duckdbTasks, duckdbTriggers } from "./duckdb/index.ts";
import { mysqlTasks, mysqlTriggers } from "./mysql/index.ts";
import { postgresTasks, postgresTriggers } from "./postgres/index.ts";
import { sqliteTasks, sqliteTriggers } from "./sqlite/index.ts";

export default definePlugin({
  group: "io.kestra.plugin.jdbc",
  title: "JDBC",
  description:
    "Run SQL on PostgreSQL, MySQL, MariaDB, SQLite and DuckDB: fetch rows, store them in internal storage, insert the rows of a file, or start executions when a query returns rows.",
  tasks: [...postgresTasks, ...mysqlTasks, ...sqliteTasks, ...duckdbTasks],
  triggers: [...postgresTriggers, ...mysqlTriggers, ...sqliteTriggers, ...duckdbTriggers],
});
