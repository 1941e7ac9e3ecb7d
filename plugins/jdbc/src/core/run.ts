/**
 * Running SQL through a dialect: one connection per run, closed on every path, a transaction
 * when `afterSQL` (or Queries' `transaction`) asks for one, and the task's signal wired to the
 * connection so that a timeout or a kill stops the statement on the server.
 */
import { NonRetryableError, type Logger } from "@saker/sdk";
import type { ConnectionProps, DbConnection, Dialect, PutFile, SessionContext } from "./dialect.ts";
import { toTaskError } from "./errors.ts";
import { bindParameters } from "./parameters.ts";
import { effectiveFetchType } from "./properties.ts";
import { collectorFor, type FetchType, type QueryOutput } from "./results.ts";
import { splitStatements } from "./sqlText.ts";
import { checkZone } from "./temporal.ts";

export interface QueryProps extends ConnectionProps {
  sql: string;
  parameters?: Record<string, unknown> | undefined;
  fetchType: FetchType;
  fetch: boolean;
  fetchOne: boolean;
  store: boolean;
  fetchSize: number;
  afterSQL?: string | undefined;
  timeZoneId?: string | undefined;
}

export interface RunEnv extends SessionContext {
  putFile: PutFile;
  maxFetchRows: number;
}

interface Prepared {
  fetchType: FetchType;
  zone: string;
}

function prepare(props: QueryProps): Prepared {
  if (!props.sql.trim()) throw new NonRetryableError("property 'sql' is empty");
  return { fetchType: effectiveFetchType(props), zone: checkZone(props.timeZoneId) };
}

/**
 * Opens a session, runs `work`, closes the connection whatever happens; adds the dialect's
 * outputs. Errors become task errors (the password scrubbed); an abort before or during the work
 * stops it on the server.
 */
export async function withConnection<P extends ConnectionProps, C extends DbConnection, T extends object>(
  dialect: Dialect<P, C>,
  props: P,
  env: SessionContext,
  work: (connection: C) => Promise<T>,
): Promise<T & Record<string, unknown>> {
  const fail = (error: unknown) =>
    toTaskError(error, dialect.label, (e) => dialect.describeError(e), dialect.secretsOf(props));
  if (env.signal.aborted) throw fail(env.signal.reason);
  let session;
  try {
    session = await dialect.open(props, env);
  } catch (error) {
    throw fail(error);
  }
  const { connection } = session;
  if (env.signal.aborted) {
    await connection.close();
    throw fail(env.signal.reason);
  }
  const onAbort = () => void connection.abort();
  env.signal.addEventListener("abort", onAbort, { once: true });
  let result: T;
  try {
    result = await work(connection);
  } catch (error) {
    throw fail(error);
  } finally {
    env.signal.removeEventListener("abort", onAbort);
    await connection.close();
  }
  const extra = session.finish ? await session.finish().catch((error: unknown) => Promise.reject(fail(error))) : {};
  return { ...result, ...extra };
}

/** Runs `work` inside BEGIN … COMMIT when `transactional`, rolling back when it throws. */
async function inTransaction<T>(connection: DbConnection, transactional: boolean, work: () => Promise<T>): Promise<T> {
  if (!transactional) return work();
  await connection.run("BEGIN");
  try {
    const result = await work();
    await connection.run("COMMIT");
    return result;
  } catch (error) {
    // May fail when the database already ended the transaction (SQLite after some errors).
    await connection.run("ROLLBACK").catch(() => undefined);
    throw error;
  }
}

interface StatementResult {
  resultSet: boolean;
  output: QueryOutput;
}

async function runStatement(
  connection: DbConnection,
  sql: string,
  values: unknown[],
  fetchType: FetchType,
  props: QueryProps,
  zone: string,
  env: RunEnv,
  logger: Logger,
): Promise<StatementResult> {
  const collector = collectorFor(fetchType, env);
  logger.debug("Starting query: {}", sql);
  try {
    const { resultSet } = await connection.execute(sql, values, { fetchSize: props.fetchSize, zone }, collector.sink);
    const output = await collector.finish(resultSet);
    // `fetchType` tells an expression reading the wrong attribute (value/rows vs uri) where the result went.
    return { resultSet, output: resultSet ? { ...output, fetchType } : output };
  } catch (error) {
    await collector.discard();
    throw error;
  }
}

async function runAfterSql(
  connection: DbConnection,
  dialect: Dialect,
  props: QueryProps,
  zone: string,
  env: RunEnv,
): Promise<void> {
  if (!props.afterSQL?.trim()) return;
  const bound = bindParameters(props.afterSQL, props.parameters, dialect.syntax);
  await runStatement(connection, bound.sql, bound.values, "NONE", props, zone, env, env.logger);
}

/** Query (and Trigger): one statement, then `afterSQL` in the same transaction. */
export async function runQuery<P extends QueryProps>(
  dialect: Dialect<P>,
  props: P,
  env: RunEnv,
): Promise<QueryOutput & Record<string, unknown>> {
  const { fetchType, zone } = prepare(props);
  const statements = splitStatements(props.sql, dialect.syntax);
  if (statements.length > 1)
    throw new NonRetryableError(
      "Query task support only a single SQL statement. Use the Queries task to run multiple statements.",
    );
  const bound = bindParameters(statements[0] ?? props.sql, props.parameters, dialect.syntax);
  return withConnection(dialect, props, env, (connection) =>
    inTransaction(connection, Boolean(props.afterSQL?.trim()), async () => {
      const { output } = await runStatement(
        connection,
        bound.sql,
        bound.values,
        fetchType,
        props,
        zone,
        env,
        env.logger,
      );
      await runAfterSql(connection, dialect as unknown as Dialect, props, zone, env);
      return output;
    }),
  );
}

/** Queries: every statement of the script, in one transaction by default. */
export async function runQueries<P extends QueryProps>(
  dialect: Dialect<P>,
  props: P & { transaction: boolean },
  env: RunEnv,
): Promise<{ outputs: QueryOutput[]; size: number } & Record<string, unknown>> {
  const { fetchType, zone } = prepare(props);
  const statements = splitStatements(props.sql, dialect.syntax).map((sql) =>
    bindParameters(sql, props.parameters, dialect.syntax),
  );
  return withConnection(dialect, props, env, (connection) =>
    inTransaction(connection, props.transaction || Boolean(props.afterSQL?.trim()), async () => {
      const outputs: QueryOutput[] = [];
      let size = 0;
      for (const statement of statements) {
        const { resultSet, output } = await runStatement(
          connection,
          statement.sql,
          statement.values,
          fetchType,
          props,
          zone,
          env,
          env.logger,
        );
        if (resultSet) outputs.push(output);
        size += output.size ?? 0;
      }
      await runAfterSql(connection, dialect as unknown as Dialect, props, zone, env);
      return { outputs, size };
    }),
  );
}
