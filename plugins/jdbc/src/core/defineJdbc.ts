/**
 * Declares a database's `Query`, `Queries` and `Trigger` types from its dialect, so that every
 * database gets the same properties, outputs and behaviour (`io.kestra.plugin.jdbc.<db>.*`).
 */
import {
  NonRetryableError,
  defineTask,
  raw,
  defineTrigger,
  z,
  type AnyTaskDefinition,
  type AnyTriggerDefinition,
  type RunContext,
  type TriggerContext,
} from "@saker/sdk";
import type { Dialect } from "./dialect.ts";
import { effectiveFetchType, outputShape, queriesShape, queryShape, triggerShape } from "./properties.ts";
import { DEFAULT_MAX_FETCH_ROWS } from "./results.ts";
import { runQueries, runQuery, type QueryProps, type RunEnv } from "./run.ts";
import { inputFileShape, inputFileSql, withInputFile } from "./inputFile.ts";
import {
  rawSql,
  storeOutputFiles,
  withWorkingFiles,
  workingFilesOutputs,
  workingFilesShape,
  type WorkingFilesProps,
} from "./workingFiles.ts";

export interface JdbcTypesOptions {
  /** `PostgreSQL`: used in titles. */
  name: string;
  urlExample: string;
  /** Properties only this database has. */
  extraProperties?: z.ZodRawShape;
  /** Outputs only this database adds (e.g. SQLite's `databaseUri`). */
  extraOutputs?: z.ZodRawShape;
  /** Query and Queries follow Kestra's working-directory contract (`inputFiles`, `outputFiles`, `{{ workingDir }}`). */
  workingFiles?: boolean;
  /** Query and Queries take `inputFile`, a stored file the SQL loads as `{{ inputFile }}` (MySQL's LOAD DATA LOCAL INFILE). */
  inputFile?: boolean;
}

/** `maxFetchRows` from the plugin configuration (`plugins.configurations`), else the default. */
function maxFetchRowsOf(configuration: Readonly<Record<string, unknown>>): number {
  const value = Number(configuration.maxFetchRows);
  return Number.isInteger(value) && value > 0 ? value : DEFAULT_MAX_FETCH_ROWS;
}

/** What a run needs from its task's (or trigger's) context: both give a working directory and the plugin configuration. */
function runEnv(ctx: RunContext | TriggerContext): RunEnv {
  return {
    logger: ctx.logger,
    storage: ctx.storage,
    signal: ctx.signal,
    workingDir: () => ctx.workingDir(),
    putFile: (source, name) => ctx.storage.putFile(source, name),
    maxFetchRows: maxFetchRowsOf(ctx.pluginConfiguration()),
  };
}

/** The three types of one database. */
export function defineJdbcTypes(
  dialect: Dialect<QueryProps & Record<string, unknown>>,
  options: JdbcTypesOptions,
): { tasks: AnyTaskDefinition[]; triggers: AnyTriggerDefinition[] } {
  const prefix = `io.kestra.plugin.jdbc.${dialect.id}`;
  const extra = options.extraProperties ?? {};
  const outputs = { ...outputShape, ...(options.extraOutputs ?? {}) };
  const shape = (defaultFetchType: "NONE" | "FETCH") =>
    queryShape({ defaultFetchType, urlExample: options.urlExample });
  // Query and Queries of a database with a working directory: the SQL sees it, files go in and out.
  const base = { ...shape("NONE"), ...extra } as { sql: z.ZodString; url: z.ZodType };
  const taskShape = options.workingFiles
    ? { url: raw(base.url), sql: rawSql(base.sql), ...workingFilesShape }
    : options.inputFile
      ? { sql: inputFileSql(base.sql), ...inputFileShape }
      : {};
  const taskOutputs = options.workingFiles ? workingFilesOutputs : {};
  /** Runs `work` with the working directory's files and variables when the database has them. */
  const withFiles = async <T extends object>(
    props: QueryProps & Record<string, unknown>,
    ctx: RunContext,
    work: (props: QueryProps & Record<string, unknown>) => Promise<T>,
  ) => {
    if (options.inputFile) return work(await withInputFile(props, ctx));
    if (!options.workingFiles) return work(props);
    const files = props as QueryProps & WorkingFilesProps & Record<string, unknown>;
    const result = await work(await withWorkingFiles(files, ctx));
    return { ...result, ...(await storeOutputFiles(files.outputFiles, ctx)) };
  };

  const Query = defineTask({
    type: `${prefix}.Query`,
    title: `Run a SQL query on ${options.name}`,
    description: `Runs one SQL statement on ${options.name} and fetches its rows (\`fetchType\`).`,
    examples: [
      {
        title: "Store the rows of a query",
        code: `id: query\ntype: ${prefix}.Query\nurl: ${options.urlExample}\nsql: select * from orders where status = :status\nparameters:\n  status: NEW\nfetchType: STORE`,
      },
    ],
    properties: z.object({ ...shape("NONE"), ...extra, ...taskShape }),
    outputs: z.object({ ...outputs, ...taskOutputs }),
    async run(props, ctx) {
      const output = await withFiles(props as QueryProps & Record<string, unknown>, ctx, (p) =>
        runQuery(dialect, p, runEnv(ctx)),
      );
      ctx.metric({ name: "fetch.size", type: "counter", value: output.size ?? 0 });
      return output;
    },
  });

  const Queries = defineTask({
    type: `${prefix}.Queries`,
    title: `Run several SQL statements on ${options.name}`,
    description:
      "Runs a script of statements separated by `;`, in one transaction by default; outputs one entry per statement that returns rows.",
    properties: z.object({ ...shape("NONE"), ...queriesShape, ...extra, ...taskShape }),
    outputs: z.object({
      outputs: z.array(z.object(outputShape)),
      size: z.number(),
      ...(options.extraOutputs ?? {}),
      ...taskOutputs,
    }),
    async run(props, ctx) {
      const result = await withFiles(props as QueryProps & Record<string, unknown>, ctx, (p) =>
        runQueries(dialect, p as QueryProps & { transaction: boolean } & Record<string, unknown>, runEnv(ctx)),
      );
      ctx.metric({ name: "fetch.size", type: "counter", value: result.size });
      return result;
    },
  });

  const Trigger = defineTrigger({
    type: `${prefix}.Trigger`,
    triggerKind: "polling",
    title: `Start an execution when a ${options.name} query returns rows`,
    description:
      "Runs the query every `interval`; when it returns rows, starts one execution that sees them as `trigger.rows` (FETCH), `trigger.row` (FETCH_ONE) or `trigger.uri` (STORE), with `trigger.size`. `afterSQL` runs in the same transaction, typically to mark the rows as processed.",
    properties: z.object({ ...shape("FETCH"), ...triggerShape, ...extra }),
    outputs: z.object(outputShape),
    async evaluate(props, ctx) {
      const queryProps = props as unknown as QueryProps & Record<string, unknown>;
      if (effectiveFetchType(queryProps) === "NONE") {
        throw new NonRetryableError(
          "fetchType NONE cannot be used on a trigger: it would never see a row; use FETCH, FETCH_ONE or STORE",
        );
      }
      const { row, rows, uri, size } = await runQuery(dialect, queryProps, runEnv(ctx));
      ctx.logger.debug("Found '{}' rows from '{}'", size ?? 0, queryProps.sql);
      if (!size) return undefined;
      return {
        variables: { ...(row !== undefined ? { row } : {}), ...(rows ? { rows } : {}), ...(uri ? { uri } : {}), size },
      };
    },
  });

  return {
    tasks: [Query, Queries] as unknown as AnyTaskDefinition[],
    triggers: [Trigger] as unknown as AnyTriggerDefinition[],
  };
}
