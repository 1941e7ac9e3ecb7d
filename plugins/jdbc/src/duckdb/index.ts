/**
 * DuckDB: `io.kestra.plugin.jdbc.duckdb.{Query,Queries,Trigger}`. `jdbc:duckdb:` (the default
 * url) is an in-memory database, `jdbc:duckdb:/path` a file; `databaseUri` opens one from
 * internal storage and `outputDbFile` stores it after the run. Query and Queries have a working
 * directory (`inputFiles`, `outputFiles`, `{{ workingDir }}`), also DuckDB's file search path.
 */
import { errorMessage, z } from "@saker/sdk";
import { defineJdbcTypes } from "../core/defineJdbc.ts";
import type { Dialect } from "../core/dialect.ts";
import { downloadDatabase, pathOfUrl, uploadDatabase } from "../core/fileDatabase.ts";
import { stripScheme } from "../core/jdbcUrl.ts";
import type { QueryProps } from "../core/run.ts";

type DuckdbProps = QueryProps & {
  databaseUri?: string | undefined;
  outputDbFile?: boolean | undefined;
  workingDir?: string | undefined;
};

const duckdbDialect: Dialect<DuckdbProps> = {
  id: "duckdb",
  label: "DuckDB",
  syntax: { placeholder: "question", dollarQuotes: true },
  async open(props, ctx) {
    const { rest } = stripScheme(props.url, ["jdbc:duckdb:"]);
    const path = props.databaseUri
      ? await downloadDatabase(props.databaseUri, ctx, "database.duckdb")
      : pathOfUrl(rest);
    // Loaded on first use: DuckDB's native library alone adds about 30 MB to the worker's RSS.
    const { DuckdbConnection } = await import("./duckdbConnection.ts");
    const connection = await DuckdbConnection.open(path);
    // Relative file names in the SQL (`read_csv_auto('data.csv')`) are looked up in the working directory, as in Kestra.
    if (props.workingDir) {
      try {
        await connection.run(`SET file_search_path = '${props.workingDir.replace(/'/g, "''")}'`);
      } catch (error) {
        await connection.close();
        throw error;
      }
    }
    return {
      connection,
      ...(props.outputDbFile ? { finish: () => uploadDatabase(path, ctx, "database.duckdb") } : {}),
    };
  },
  describeError: (error) => ({ message: errorMessage(error).replace(/^Error: /, ""), retryable: false }),
  secretsOf: (props) => [props.password],
};

const types = defineJdbcTypes(duckdbDialect as Dialect<QueryProps & Record<string, unknown>>, {
  name: "DuckDB",
  urlExample: "jdbc:duckdb:",
  workingFiles: true,
  extraProperties: {
    url: z
      .string()
      .default("jdbc:duckdb:")
      .describe(
        "The JDBC URL: `jdbc:duckdb:` (the default) is an in-memory database, `jdbc:duckdb:/path/to/file.duckdb` a database file.",
      ),
    databaseUri: z
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

export const duckdbTasks = types.tasks;
export const duckdbTriggers = types.triggers;
