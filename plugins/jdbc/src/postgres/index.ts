/** PostgreSQL: `io.kestra.plugin.jdbc.postgresql.{Query,Queries,Trigger,CopyIn,CopyOut,Batch}`. */
import { defineJdbcTypes } from "../core/defineJdbc.ts";
import type { Dialect } from "../core/dialect.ts";
import type { QueryProps } from "../core/run.ts";
import { PostgresBatch } from "./pgBatch.ts";
import { CopyIn, CopyOut } from "./pgCopy.ts";
import { postgresDialect } from "./pgDialect.ts";
import { sslShape } from "./pgProps.ts";

const types = defineJdbcTypes(postgresDialect as Dialect<QueryProps & Record<string, unknown>>, {
  name: "PostgreSQL",
  urlExample: "jdbc:postgresql://127.0.0.1:5432/db",
  extraProperties: sslShape,
});

export const postgresTasks = [...types.tasks, CopyIn, CopyOut, PostgresBatch];
export const postgresTriggers = types.triggers;
