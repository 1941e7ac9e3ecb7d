/**
 * SQLite: `io.kestra.plugin.jdbc.sqlite.{Query,Queries,Trigger}`. `sqliteFile` opens a database
 * from internal storage; `outputDbFile` stores the database after the run (`databaseUri`). Query
 * and Queries have a working directory (`inputFiles`, `outputFiles`, `{{ workingDir }}`).
 */
import { errorMessage, z } from "@saker/sdk";
import { defineJdbcTypes } from "../core/defineJdbc.ts";
import type { Dialect } from "../core/dialect.ts";
import { downloadDatabase, pathOfUrl, uploadDatabase } from "../core/fileDatabase.ts";
import { stripScheme } from "../core/jdbcUrl.ts";
import type { QueryProps } from "../core/run.ts";

type SqliteProps = QueryProps & { sqliteFile?: string | undefined; outputDbFile?: boolean | undefined };

const RETRYABLE = new Set(["SQLITE_BUSY", "SQLITE_LOCKED"]);

const sqliteDialect: Dialect<SqliteProps> = {
  id: "sqlite",
  label: "SQLite",
  syntax: { placeholder: "question" },
  async open(props, ctx) {
    const { rest } = stripScheme(props.url, ["jdbc:sqlite:"]);
    const path = props.sqliteFile ? await downloadDatabase(props.sqliteFile, ctx, "database.sqlite") : pathOfUrl(rest);
    // Loaded on first use, as DuckDB's: a plugin version used only for other databases needs no SQLite driver.
    const { SqliteConnection } = await import("./sqliteConnection.ts");
    const connection = SqliteConnection.open(path);
    return {
      connection,
      ...(props.outputDbFile ? { finish: () => uploadDatabase(path, ctx, "database.sqlite") } : {}),
    };
  },
  describeError(error) {
    const code = (error as { code?: unknown })?.code;
    return {
      message: errorMessage(error),
      ...(typeof code === "string" ? { code } : {}),
      retryable: typeof code === "string" && RETRYABLE.has(code),
    };
  },
  secretsOf: (props) => [props.password],
};

const types = defineJdbcTypes(sqliteDialect as Dialect<QueryProps & Record<string, unknown>>, {
  name: "SQLite",
  urlExample: "jdbc:sqlite:/path/to/db.sqlite",
  workingFiles: true,
  extraProperties: {
    sqliteFile: z
      .string()
      .optional()
      .describe("A database file in internal storage (`kestra://…`) to open instead of the url's."),
    outputDbFile: z
      .boolean()
      .default(false)
      .describe("Store the database file after the run; its URI is output as `databaseUri`."),
  },
  extraOutputs: {
    databaseUri: z.string().optional().describe("With `outputDbFile`: the database file in internal storage."),
  },
});

export const sqliteTasks = types.tasks;
export const sqliteTriggers = types.triggers;
