/**
 * `io.kestra.plugin.jdbc.postgresql.Batch`. The connection pipelines its statements (pg's
 * `pipeline` mode) and its session reads date-times without a zone in `timeZoneId`. The statement
 * is prepared once on the server first: that checks it (a missing table fails before any row is
 * read) and gives each placeholder's type, so that a list goes to a json column as JSON and to an
 * array column as an array.
 */
import { defineBatch, type Binding, type BatchDatabase } from "../core/batch.ts";
import { jsonText, pgTemporalText, scalarValue } from "../core/batchValues.ts";
import type { Dialect } from "../core/dialect.ts";
import { pgConfigOf, type PostgresProps } from "./pgConfig.ts";
import type { PgConnection } from "./pgConnection.ts";
import { postgresDialect } from "./pgDialect.ts";
import { sslShape } from "./pgProps.ts";

/** A value for a placeholder of type `type` (as `regtype` prints it). */
function pgValue(value: unknown, type: string | undefined): unknown {
  if (type === "json" || type === "jsonb") return value === null || typeof value === "string" ? value : jsonText(value);
  const scalar = scalarValue(value, pgTemporalText);
  if (scalar !== undefined) return scalar;
  // pg writes an array literal from the items; a struct has no better form than JSON
  if (Array.isArray(value)) return value.map((item) => pgValue(item, type?.replace(/\[\]$/, "")));
  return jsonText(value);
}

const batchDialect: Dialect<PostgresProps & { timeZoneId: string }, PgConnection> = {
  ...postgresDialect,
  async open(props) {
    const { PgConnection } = await import("./pgConnection.ts");
    const plan = pgConfigOf(props);
    const connection = await PgConnection.open({ ...plan, config: { ...plan.config, pipeline: true } });
    try {
      await connection.rows("select set_config('TimeZone', $1, false)", [props.timeZoneId]);
    } catch (error) {
      await connection.close();
      throw error;
    }
    return { connection };
  },
};

const PROBE = "saker_batch_probe";

const postgresBatch: BatchDatabase<PostgresProps, PgConnection> = {
  dialect: batchDialect,
  maxParameters: 65_535,
  // a lower-case name means the same quoted or not (and quoting saves reserved words); a mixed-case
  // one is left as written, folded by PostgreSQL as in Kestra's generated INSERT
  quoteColumn: (name, exact) =>
    exact || !/^[A-Za-z_][A-Za-z0-9_$]*$/.test(name) || name === name.toLowerCase()
      ? `"${name.replace(/"/g, '""')}"`
      : name,
  async tableColumns(connection, table) {
    const rows = await connection.rows(
      "select attname from pg_attribute where attrelid = to_regclass($1) and attnum > 0 and not attisdropped and attgenerated = '' order by attnum",
      [table],
    );
    return rows.map((row) => String(row[0]));
  },
  async prepare(connection, sql): Promise<Binding> {
    await connection.run(`PREPARE ${PROBE} AS ${sql.single}`);
    let types: string[];
    try {
      const rows = await connection.rows("select parameter_types::text[] from pg_prepared_statements where name = $1", [
        PROBE,
      ]);
      types = (rows[0]?.[0] as string[] | undefined) ?? [];
    } finally {
      await connection.run(`DEALLOCATE ${PROBE}`);
    }
    return { parameters: types.length, bind: (value, k) => pgValue(value, types[k]), maxBytes: 64 * 1024 * 1024 };
  },
};

export const PostgresBatch = defineBatch(postgresBatch, {
  name: "PostgreSQL",
  urlExample: "jdbc:postgresql://127.0.0.1:5432/db",
  extraProperties: sslShape,
});
