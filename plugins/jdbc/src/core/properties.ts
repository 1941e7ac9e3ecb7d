/**
 * The properties every JDBC task and trigger shares, as Kestra names them, and the rules that
 * turn the deprecated `fetch` / `fetchOne` / `store` booleans into a `fetchType`.
 */
import { anyValue, duration, map, z } from "@saker/sdk";
import { FETCH_TYPES, type FetchType } from "./results.ts";

/** Connection and query properties of Query, Queries and Trigger. */
export function queryShape(options: { defaultFetchType: FetchType; urlExample: string }) {
  return {
    url: z
      .string()
      .describe(
        `The JDBC URL, e.g. \`${options.urlExample}\`. Query properties such as \`user\`, \`password\` and \`ssl\` are read too.`,
      ),
    username: z.string().optional().describe("The database user (overrides `user` in the URL)."),
    password: z.string().optional().describe("The user's password (overrides `password` in the URL). Never logged."),
    sql: z
      .string()
      .describe(
        "The SQL to run. Use `:name` placeholders with `parameters` for values: they are bound by the driver, never written into the SQL.",
      ),
    parameters: map(anyValue()).optional().describe("Values of the `:name` placeholders in `sql`."),
    fetchType: z
      .enum(FETCH_TYPES)
      .default(options.defaultFetchType)
      .describe(
        "What to do with the rows: `FETCH_ONE` outputs `row`, `FETCH` outputs `rows`, `STORE` writes them to an Ion file in internal storage and outputs `uri`, `NONE` outputs nothing.",
      ),
    fetch: z.boolean().default(false).describe("Deprecated: use `fetchType: FETCH`."),
    fetchOne: z.boolean().default(false).describe("Deprecated: use `fetchType: FETCH_ONE`."),
    store: z.boolean().default(false).describe("Deprecated: use `fetchType: STORE`."),
    fetchSize: z
      .number()
      .int()
      .positive()
      .default(10_000)
      .describe(
        "How many rows are read from the database at a time (a hint, as in JDBC: PostgreSQL reads at most 5000 per round trip to keep memory flat).",
      ),
    afterSQL: z
      .string()
      .optional()
      .describe("SQL run after `sql`, in the same transaction (e.g. to mark the rows read as processed)."),
    timeZoneId: z
      .string()
      .optional()
      .describe("The time zone timestamps with a zone are shown in (default: the worker's)."),
    connectionPooling: z.boolean().optional().describe("Accepted for compatibility; each run opens one connection."),
    connectionPoolSize: z
      .number()
      .int()
      .optional()
      .describe("Accepted for compatibility; each run opens one connection."),
  };
}

/** Queries' own property. */
export const queriesShape = {
  transaction: z
    .boolean()
    .default(true)
    .describe("Run every statement in one transaction, rolled back when one fails."),
};

/** The Trigger's own property. */
export const triggerShape = {
  interval: duration().prefault("PT1M").describe("Time between two evaluations."),
};

/** The outputs of one statement. */
export const outputShape = {
  row: z.record(z.string(), z.unknown()).nullable().optional().describe("FETCH_ONE: the first row, or null."),
  rows: z.array(z.record(z.string(), z.unknown())).optional().describe("FETCH: every row."),
  uri: z.string().optional().describe("STORE: the Ion file holding the rows, one per line."),
  size: z.number().optional().describe("How many rows were fetched or stored."),
  fetchType: z
    .enum(["FETCH_ONE", "FETCH", "STORE", "NONE"])
    .optional()
    .describe("Where the result went: `row`, `rows` or `uri`."),
};

/** Kestra checks the deprecated booleans first, in this order. */
export function effectiveFetchType(props: {
  fetchType: FetchType;
  fetch: boolean;
  fetchOne: boolean;
  store: boolean;
}): FetchType {
  if (props.fetch) return "FETCH";
  if (props.fetchOne) return "FETCH_ONE";
  if (props.store) return "STORE";
  return props.fetchType;
}
