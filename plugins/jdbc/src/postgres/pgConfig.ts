/**
 * `jdbc:postgresql://…` plus the task's SSL properties → a `pg` client configuration. Session
 * settings make the server print values the way the converters read them (ISO dates, ISO-8601
 * intervals).
 */
import type { ClientConfig } from "pg";
import type { ConnectionOptions } from "node:tls";
import { NonRetryableError } from "@saker/sdk";
import { booleanProperty, parseServerUrl, property, stripScheme } from "../core/jdbcUrl.ts";

export const SSL_MODES = ["DISABLE", "ALLOW", "PREFER", "REQUIRE", "VERIFY_CA", "VERIFY_FULL"] as const;
export type SslMode = (typeof SSL_MODES)[number];

export interface PostgresProps {
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  ssl?: boolean | undefined;
  sslMode?: SslMode | undefined;
  sslRootCert?: string | undefined;
  sslCert?: string | undefined;
  sslKey?: string | undefined;
  sslKeyPassword?: string | undefined;
}

const SESSION_OPTIONS = "-c intervalstyle=iso_8601 -c datestyle=ISO,MDY";

function sslModeOf(props: PostgresProps, urlProps: Record<string, string>): SslMode {
  if (props.sslMode) return props.sslMode;
  const fromUrl = property(urlProps, "sslmode");
  if (fromUrl) {
    const mode = fromUrl.toUpperCase().replace("-", "_") as SslMode;
    if (!SSL_MODES.includes(mode))
      throw new NonRetryableError(`sslmode '${fromUrl}' in 'url' is not one of ${SSL_MODES.join(", ").toLowerCase()}`);
    return mode;
  }
  // pgjdbc: `ssl=true` alone means verify-full.
  return (props.ssl ?? booleanProperty(urlProps, "ssl")) ? "VERIFY_FULL" : "DISABLE";
}

/** TLS options for a mode; `undefined` for no TLS. PREFER and ALLOW are handled by the caller (retry without TLS). */
function tlsOf(mode: SslMode, props: PostgresProps, urlProps: Record<string, string>): ConnectionOptions | undefined {
  if (mode === "DISABLE") return undefined;
  const ca = props.sslRootCert ?? property(urlProps, "sslrootcert");
  const tls: ConnectionOptions = {};
  if (ca) tls.ca = ca;
  if (props.sslCert) tls.cert = props.sslCert;
  if (props.sslKey) tls.key = props.sslKey;
  if (props.sslKeyPassword) tls.passphrase = props.sslKeyPassword;
  // libpq: require with a root certificate verifies the CA, as verify-ca does.
  if (mode === "VERIFY_FULL") tls.rejectUnauthorized = true;
  else if (mode === "VERIFY_CA" || (mode === "REQUIRE" && ca)) {
    tls.rejectUnauthorized = true;
    tls.checkServerIdentity = () => undefined;
  } else tls.rejectUnauthorized = false;
  return tls;
}

export interface PgConnectPlan {
  config: ClientConfig;
  /** PREFER / ALLOW: retry without TLS when the server has none. */
  fallbackWithoutTls: boolean;
}

export function pgConfigOf(props: PostgresProps): PgConnectPlan {
  const { rest } = stripScheme(props.url, ["jdbc:postgresql:"]);
  const server = rest.startsWith("//")
    ? parseServerUrl(rest, props.url, 5432)
    : {
        host: "localhost",
        port: 5432,
        database: rest.split("?")[0] || undefined,
        properties: {} as Record<string, string>,
      };
  const urlProps = server.properties;
  const mode = sslModeOf(props, urlProps);
  const connectTimeout = Number(property(urlProps, "connectTimeout", "loginTimeout") ?? 10);
  const user = props.username ?? property(urlProps, "user") ?? ("user" in server ? server.user : undefined);
  const password =
    props.password ?? property(urlProps, "password") ?? ("password" in server ? server.password : undefined);
  const schema = property(urlProps, "currentSchema");
  const appName = property(urlProps, "ApplicationName");
  const config: ClientConfig = {
    host: server.host,
    port: server.port ?? 5432,
    database: server.database ?? user,
    connectionTimeoutMillis: Number.isFinite(connectTimeout) && connectTimeout > 0 ? connectTimeout * 1000 : 10_000,
    options: `${SESSION_OPTIONS}${schema ? ` -c search_path=${schema.replace(/[^A-Za-z0-9_,$]/g, "")}` : ""}`,
    application_name: appName ?? "saker",
  };
  if (user !== undefined) config.user = user;
  if (password !== undefined) config.password = password;
  const tls = tlsOf(mode, props, urlProps);
  if (tls) config.ssl = tls;
  return { config, fallbackWithoutTls: mode === "PREFER" || mode === "ALLOW" };
}
