/**
 * `CopyIn` and `CopyOut`: PostgreSQL's COPY between a table (or a query) and a file in internal
 * storage, streamed both ways through pg-copy-streams.
 */
import { pipeline } from "node:stream/promises";
import { NonRetryableError, defineTask, z } from "@saker/sdk";
import { queryShape } from "../core/properties.ts";
import { withConnection } from "../core/run.ts";
import { postgresDialect } from "./pgDialect.ts";
import { sslShape } from "./pgProps.ts";

const FORMATS = ["TEXT", "CSV", "BINARY"] as const;

const { url, username, password } = queryShape({
  defaultFetchType: "NONE",
  urlExample: "jdbc:postgresql://127.0.0.1:5432/db",
});

const copyShape = {
  url,
  username,
  password,
  ...sslShape,
  table: z.string().optional().describe("The table (optionally `schema.table`)."),
  columns: z.array(z.string()).optional().describe("The columns to copy (default: all)."),
  format: z.enum(FORMATS).default("TEXT").describe("The data format."),
  oids: z.boolean().optional().describe("Copy the OID of each row (old servers only)."),
  freeze: z.boolean().optional().describe("Requests copying the data with rows already frozen."),
  delimiter: z.string().optional().describe("The character separating columns (default: tab in TEXT, comma in CSV)."),
  nullString: z.string().optional().describe("The string that represents a null value."),
  header: z.boolean().optional().describe("CSV: the file has a header line."),
  quote: z.string().optional().describe("CSV: the quoting character."),
  escape: z.string().optional().describe("CSV: the escape character."),
  forceQuote: z.array(z.string()).optional().describe("CSV out: quote these columns always."),
  forceNotNull: z.array(z.string()).optional().describe("CSV in: never match these columns against the null string."),
  forceNull: z
    .array(z.string())
    .optional()
    .describe("CSV in: match these columns against the null string even when quoted."),
  encoding: z.string().optional().describe("The file's encoding (default: the client encoding)."),
};

type CopyProps = z.output<z.ZodObject<typeof copyShape>>;

const IDENTIFIER = /^("[^"]+"|[A-Za-z_][A-Za-z0-9_$]*)(\.("[^"]+"|[A-Za-z_][A-Za-z0-9_$]*))?$/;

function identifier(name: string, what: string): string {
  if (!IDENTIFIER.test(name.trim()))
    throw new NonRetryableError(
      `${what} '${name}' is not a valid identifier (letters, digits, _ and $, optionally "quoted" or schema-qualified)`,
    );
  return name.trim();
}

const literal = (text: string): string => `'${text.replace(/'/g, "''")}'`;
const columnList = (columns: string[] | undefined): string =>
  columns?.length ? ` (${columns.map((c) => identifier(c, "column")).join(", ")})` : "";

/** The WITH (…) options of a COPY statement. */
function copyOptions(p: CopyProps): string {
  const options: string[] = [`FORMAT ${p.format}`];
  if (p.oids !== undefined) options.push(`OIDS ${p.oids}`);
  if (p.freeze !== undefined) options.push(`FREEZE ${p.freeze}`);
  if (p.delimiter !== undefined) options.push(`DELIMITER ${literal(p.delimiter)}`);
  if (p.nullString !== undefined) options.push(`NULL ${literal(p.nullString)}`);
  if (p.header !== undefined) options.push(`HEADER ${p.header}`);
  if (p.quote !== undefined) options.push(`QUOTE ${literal(p.quote)}`);
  if (p.escape !== undefined) options.push(`ESCAPE ${literal(p.escape)}`);
  if (p.forceQuote?.length)
    options.push(`FORCE_QUOTE (${p.forceQuote.map((c) => identifier(c, "column")).join(", ")})`);
  if (p.forceNotNull?.length)
    options.push(`FORCE_NOT_NULL (${p.forceNotNull.map((c) => identifier(c, "column")).join(", ")})`);
  if (p.forceNull?.length) options.push(`FORCE_NULL (${p.forceNull.map((c) => identifier(c, "column")).join(", ")})`);
  if (p.encoding !== undefined) options.push(`ENCODING ${literal(p.encoding)}`);
  return `WITH (${options.join(", ")})`;
}

export const CopyOut = defineTask({
  type: "io.kestra.plugin.jdbc.postgresql.CopyOut",
  title: "Copy a PostgreSQL table or query to a file",
  description: "Runs `COPY … TO STDOUT` and streams the data into a file in internal storage.",
  properties: z.object({
    ...copyShape,
    sql: z.string().optional().describe("A query whose result is copied (instead of `table`)."),
  }),
  outputs: z.object({ uri: z.string(), rowCount: z.number() }),
  async run(props, ctx) {
    if (!props.sql && !props.table) throw new NonRetryableError("CopyOut needs 'table' or 'sql'");
    const source = props.sql ? `(${props.sql})` : `${identifier(props.table!, "table")}${columnList(props.columns)}`;
    const statement = `COPY ${source} TO STDOUT ${copyOptions(props)}`;
    ctx.logger.debug("Starting {}", statement);
    return withConnection(postgresDialect, props, ctx, async (connection) => {
      const stream = connection.copyOut(statement);
      const uri = await ctx.storage.putFile(stream, props.format === "CSV" ? "copy.csv" : "copy.txt");
      return { uri, rowCount: stream.rowCount ?? 0 };
    });
  },
});

export const CopyIn = defineTask({
  type: "io.kestra.plugin.jdbc.postgresql.CopyIn",
  title: "Copy a file into a PostgreSQL table",
  description: "Runs `COPY … FROM STDIN`, streaming a file of internal storage into the table.",
  properties: z.object({
    ...copyShape,
    table: z.string().describe("The table to fill."),
    from: z.string().describe("The file (a `kestra://` URI)."),
  }),
  outputs: z.object({ rowCount: z.number() }),
  async run(props, ctx) {
    const statement = `COPY ${identifier(props.table, "table")}${columnList(props.columns)} FROM STDIN ${copyOptions(props)}`;
    ctx.logger.debug("Starting {}", statement);
    return withConnection(postgresDialect, props, ctx, async (connection) => {
      const input = await ctx.storage.getFile(props.from);
      const stream = connection.copyIn(statement);
      await pipeline(input, stream);
      return { rowCount: stream.rowCount ?? 0 };
    });
  },
});
