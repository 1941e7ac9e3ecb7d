/**
 * Connecting to Redis as Kestra's Redis tasks do, from one `url` (`redis://[[user]:password@]host:port/db`,
 * `rediss://` for TLS). The attempt has a deadline and follows the task's signal; commands are
 * never queued while disconnected and a lost connection is not retried by the client (a task
 * fails and may be retried; a realtime listener is restarted by the engine).
 */
import type { Redis } from "ioredis";
import { isSakerError, z } from "@saker/sdk";
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  brokerError,
  checkBrokerHost,
  closeOnAbort,
  hostOf,
  stoppedError,
  redactUrl,
  urlSecrets,
  withDeadline,
  type BrokerContext,
} from "../core/index.ts";

export const redisUrlProperty = z
  .string()
  .min(1)
  .describe("The Redis connection string: `redis://[[user]:password@]host:port/db` (`rediss://` for TLS).");

const AUTH_FAILURE = /WRONGPASS|NOAUTH|invalid password|invalid username-password/i;

/** The server as messages show it: the URL without its credentials. */
function whereOf(url: string): string {
  return redactUrl(url);
}

/** Turns a client error into a task error naming the server, without credentials. */
export function redisError(error: unknown, url: string): Error {
  return brokerError(error, {
    label: "Redis",
    where: whereOf(url),
    secrets: urlSecrets(url),
    authPattern: AUTH_FAILURE,
  });
}

/** A connected client; fails within the deadline or when `ctx.signal` aborts. */
export async function connectRedis(
  url: string,
  ctx: BrokerContext,
  timeoutMs = DEFAULT_CONNECT_TIMEOUT_MS,
): Promise<Redis> {
  try {
    await checkBrokerHost(ctx, hostOf(url), "url");
  } catch (error) {
    throw redisError(error, url);
  }
  const { Redis: RedisClient } = await import("ioredis");
  let client: Redis;
  try {
    client = new RedisClient(url, {
      lazyConnect: true,
      connectTimeout: timeoutMs,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      reconnectOnError: () => false,
    });
  } catch (error) {
    throw redisError(error, url);
  }
  // The reason a connection failed comes as an 'error' event (connect() only says it closed); an
  // unhandled 'error' event would also crash the process.
  let lastError: unknown;
  client.on("error", (error: unknown) => (lastError = error));
  try {
    await withDeadline(client.connect(), {
      ms: timeoutMs + 1_000,
      signal: ctx.signal,
      what: `connecting to Redis at ${whereOf(url)}`,
      onGiveUp: () => client.disconnect(),
    });
    return client;
  } catch (error) {
    client.disconnect();
    throw redisError(isSakerError(error) ? error : (lastError ?? error), url);
  }
}

/** Runs `work` with a connected client, closing it afterwards; client errors become task errors. */
export async function withRedis<T>(url: string, ctx: BrokerContext, work: (client: Redis) => Promise<T>): Promise<T> {
  const client = await connectRedis(url, ctx);
  const dispose = closeOnAbort(ctx.signal, () => client.disconnect());
  try {
    return await work(client);
  } catch (error) {
    throw ctx.signal.aborted ? stoppedError("Redis") : redisError(error, url);
  } finally {
    dispose();
    client.disconnect();
  }
}
