/**
 * `io.kestra.plugin.jdbc.mysql.Batch`, for MySQL and MariaDB (Kestra's type takes `jdbc:mysql:`
 * and `jdbc:mariadb:` URLs alike). Rows go through server-side prepared statements, many rows
 * per statement, each statement within the server's `max_allowed_packet`. The session is in UTC:
 * a date-time with a zone is written as its UTC date-time.
 */
import { z } from "@saker/sdk";
import { defineBatch, type BatchDatabase, type Binding } from "../core/batch.ts";
import { jsonText, mysqlTemporalText, scalarValue } from "../core/batchValues.ts";
import { tableParts } from "../core/batchSql.ts";
import type { ConnectionProps, Dialect } from "../core/dialect.ts";
import { passwordOfUrl, stripScheme } from "../core/jdbcUrl.ts";
import { mysqlOptionsOf } from "./mysqlConfig.ts";
import type { MysqlConnection } from "./mysqlConnection.ts";
import { describeMysqlError } from "./mysqlErrors.ts";

/** A value as mysql2 binds it: lists and structs as JSON text (for JSON columns), 64-bit integers as text. */
function mysqlValue(value: unknown): unknown {
  const scalar = scalarValue(value, mysqlTemporalText);
  if (scalar === undefined) return jsonText(value);
  return typeof scalar === "bigint" ? scalar.toString() : scalar;
}

const batchDialect: Dialect<ConnectionProps & { timeZoneId: string }, MysqlConnection> = {
  id: "mysql",
  label: "MySQL",
  syntax: { placeholder: "question", backslashEscapes: true, backticks: true },
  async open(props) {
    const { scheme } = stripScheme(props.url, ["jdbc:mysql:", "jdbc:mariadb:"]);
    const { MysqlConnection } = await import("./mysqlConnection.ts");
    return { connection: await MysqlConnection.open(mysqlOptionsOf(props, scheme)) };
  },
  describeError: describeMysqlError("MySQL"),
  secretsOf: (props) => [props.password, passwordOfUrl(props.url)],
};

const mysqlBatch: BatchDatabase<ConnectionProps, MysqlConnection> = {
  dialect: batchDialect,
  maxParameters: 65_535,
  quoteColumn: (name) => `\`${name.replace(/`/g, "``")}\``,
  async tableColumns(connection, table) {
    const { schema, name } = tableParts(table);
    const rows = await connection.rows(
      "select column_name from information_schema.columns where table_schema = coalesce(?, database()) and table_name = ? and extra not regexp '(VIRTUAL|STORED|PERSISTENT) GENERATED' order by ordinal_position",
      [schema ?? null, name],
    );
    return rows.map((row) => String(row[0]));
  },
  async prepare(connection, sql): Promise<Binding> {
    const parameters = await connection.parameterCount(sql.single);
    const [[packet]] = (await connection.rows("select @@max_allowed_packet", [])) as [[unknown]];
    // a quarter of the packet: a character may take up to three bytes, and the packet has its own overhead
    return { parameters, bind: mysqlValue, maxBytes: Math.max(64 * 1024, Number(packet) / 4) };
  },
};

export const MysqlBatch = defineBatch(mysqlBatch, {
  name: "MySQL or MariaDB",
  urlExample: "jdbc:mysql://127.0.0.1:3306/db",
  extraProperties: {
    timeZoneId: z
      .string()
      .optional()
      .describe(
        "Checked, but no zone is needed: the session runs in UTC, an instant is written as its UTC date-time and a date-time without a zone as written.",
      ),
  },
});
