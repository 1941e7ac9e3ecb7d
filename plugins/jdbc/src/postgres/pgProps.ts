/** The PostgreSQL-only properties, shared by the query types and COPY. */
import { z } from "@saker/sdk";
import { passwordOfUrl } from "../core/jdbcUrl.ts";
import { SSL_MODES, type PostgresProps } from "./pgConfig.ts";

/** The SSL properties Kestra's PostgreSQL types have (PEM contents, not paths). */
export const sslShape = {
  ssl: z
    .boolean()
    .optional()
    .describe("Use TLS (alone, it verifies the server's certificate and name, as pgjdbc does)."),
  sslMode: z
    .enum(SSL_MODES)
    .optional()
    .describe("DISABLE, ALLOW, PREFER, REQUIRE, VERIFY_CA or VERIFY_FULL, as libpq's sslmode."),
  sslRootCert: z.string().optional().describe("The CA certificate (PEM) the server's certificate must chain to."),
  sslCert: z.string().optional().describe("The client certificate (PEM)."),
  sslKey: z.string().optional().describe("The client key (PEM)."),
  sslKeyPassword: z.string().optional().describe("The client key's passphrase."),
};

/** Values that must never show in a message: passwords from the properties and from the URL. */
export function pgSecrets(props: PostgresProps): (string | undefined)[] {
  return [props.password, props.sslKeyPassword, passwordOfUrl(props.url)];
}
