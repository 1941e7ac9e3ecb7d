/** `jdbc:mysql://…` / `jdbc:mariadb://…` → mysql2 connection options. */
import type { ConnectionOptions } from "mysql2";
import { booleanProperty, parseServerUrl, property, stripScheme } from "../core/jdbcUrl.ts";
import type { ConnectionProps } from "../core/dialect.ts";

export function mysqlOptionsOf(props: ConnectionProps, scheme: string): ConnectionOptions {
  const { rest } = stripScheme(props.url, [scheme]);
  const server = parseServerUrl(rest, props.url, 3306);
  const p = server.properties;
  const connectTimeoutMs = Number(property(p, "connectTimeout") ?? 10_000);
  const options: ConnectionOptions = {
    host: server.host,
    port: server.port ?? 3306,
    connectTimeout: Number.isFinite(connectTimeoutMs) && connectTimeoutMs > 0 ? connectTimeoutMs : 10_000,
  };
  if (server.database) options.database = server.database;
  const user = props.username ?? property(p, "user") ?? server.user;
  const password = props.password ?? property(p, "password") ?? server.password;
  if (user !== undefined) options.user = user;
  if (password !== undefined) options.password = password;
  const sslMode = property(p, "sslMode")?.toUpperCase();
  const useSsl =
    booleanProperty(p, "useSSL", "useSsl", "ssl") ??
    (sslMode !== undefined && sslMode !== "DISABLED" && sslMode !== "DISABLE");
  if (useSsl)
    options.ssl = {
      rejectUnauthorized: sslMode === "VERIFY_CA" || sslMode === "VERIFY_IDENTITY" || sslMode === "VERIFY_FULL",
    };
  return options;
}
