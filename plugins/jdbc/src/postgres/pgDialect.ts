/** The PostgreSQL dialect: how Query, Queries, Trigger and COPY open their connection. */
import type { Dialect } from "../core/dialect.ts";
import { pgConfigOf, type PostgresProps } from "./pgConfig.ts";
import type { PgConnection } from "./pgConnection.ts";
import { describePgError } from "./pgErrors.ts";
import { pgSecrets } from "./pgProps.ts";

export const postgresDialect: Dialect<PostgresProps, PgConnection> = {
  id: "postgresql",
  label: "PostgreSQL",
  syntax: { placeholder: "dollar", dollarQuotes: true },
  async open(props) {
    // pg and pg-copy-streams load with the first connection, as the other dialects' drivers do
    const { PgConnection } = await import("./pgConnection.ts");
    return { connection: await PgConnection.open(pgConfigOf(props)) };
  },
  describeError: describePgError,
  secretsOf: pgSecrets,
};
