/** The PostgreSQL dialect: how Query, Queries, Trigger and COPY open their connection. */
import type { Dialect } from "../core/dialect.ts";
import { pgConfigOf, type PostgresProps } from "./pgConfig.ts";
import { PgConnection } from "./pgConnection.ts";
import { describePgError } from "./pgErrors.ts";
import { pgSecrets } from "./pgProps.ts";

export const postgresDialect: Dialect<PostgresProps, PgConnection> = {
  id: "postgresql",
  label: "PostgreSQL",
  syntax: { placeholder: "dollar", dollarQuotes: true },
  async open(props) {
    return { connection: await PgConnection.open(pgConfigOf(props)) };
  },
  describeError: describePgError,
  secretsOf: pgSecrets,
};
