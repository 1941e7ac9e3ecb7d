/**
 * MySQL and MariaDB (both through mysql2): `io.kestra.plugin.jdbc.{mysql,mariadb}.{Query,Queries,Trigger}`,
 * and `io.kestra.plugin.jdbc.mysql.Batch` (Kestra has no `mariadb.Batch`: the MySQL one takes either URL).
 */
import { defineJdbcTypes } from "../core/defineJdbc.ts";
import type { Dialect } from "../core/dialect.ts";
import { infileStreamFactory, type LocalInfile } from "../core/inputFile.ts";
import { passwordOfUrl } from "../core/jdbcUrl.ts";
import type { QueryProps } from "../core/run.ts";
import { mysqlOptionsOf } from "./mysqlConfig.ts";
import { MysqlBatch } from "./mysqlBatch.ts";
import { describeMysqlError } from "./mysqlErrors.ts";

function mysqlDialect(id: "mysql" | "mariadb", label: string): Dialect<QueryProps & Record<string, unknown>> {
  const scheme = `jdbc:${id}:`;
  return {
    id,
    label,
    syntax: { placeholder: "question", backslashEscapes: true, backticks: true },
    async open(props) {
      // Loaded on first use, like every driver a flow may never need.
      const { MysqlConnection } = await import("./mysqlConnection.ts");
      const localInfile = (props as LocalInfile).localInfile;
      return {
        connection: await MysqlConnection.open({
          ...mysqlOptionsOf(props, scheme),
          infileStreamFactory: infileStreamFactory(localInfile),
        }),
      };
    },
    describeError: describeMysqlError(label),
    secretsOf: (props) => [props.password, passwordOfUrl(props.url)],
  };
}

const mysql = defineJdbcTypes(mysqlDialect("mysql", "MySQL"), {
  name: "MySQL",
  urlExample: "jdbc:mysql://127.0.0.1:3306/db",
  inputFile: true,
});
const mariadb = defineJdbcTypes(mysqlDialect("mariadb", "MariaDB"), {
  name: "MariaDB",
  urlExample: "jdbc:mariadb://127.0.0.1:3306/db",
  inputFile: true,
});

export const mysqlTasks = [...mysql.tasks, MysqlBatch, ...mariadb.tasks];
export const mysqlTriggers = [...mysql.triggers, ...mariadb.triggers];
