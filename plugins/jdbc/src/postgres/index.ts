/** PostgreSQL: `io.kestra.plugin.jdbc.postgresql.{Query,Queries,Trigger,CopyIn,CopyOut}`. */
import { defineJdbcTypes } from "../core/defineJdbc.ts";
import type { Dialect } from "../core/dialect.ts";
import type { QueryProps } from "../core/run.ts";
import { CopyIn, CopyOut } from "./pgCopy.ts";
import { postgresDialect } from "./pgDialect.ts";
import { sslShape } from "./pgProps.ts";

const types = defineJdbcTypes(postgresDialect as Dialect<QueryProps & Record<string, unknown>>, {
  name: "PostgreSQL",
  urlExample: "jdbc:postgresql://127.0.0.1:5432/db",
  extraProperties: sslShape,
});

export const postgresTasks = [...types.tasks, CopyIn, CopyOut];
export const postgresTriggers = types.triggers;
