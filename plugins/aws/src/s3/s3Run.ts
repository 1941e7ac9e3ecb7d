/**
 * What every S3 operation of a task run or trigger evaluation works with: the client, the run's
 * signal, its storage and logger. Built once per run and closed at its end.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import type { Logger, RunContext, TaskStorage } from "@saker/sdk";
import { createS3Client, type NetworkContext } from "./client.ts";
import type { S3Flavor } from "./flavor.ts";
import { s3Call, type S3Target } from "./s3Errors.ts";

export interface S3Run {
  readonly client: S3Client;
  readonly signal: AbortSignal;
  readonly storage: TaskStorage;
  readonly logger: Logger;
  readonly endpoint: string | undefined;
  /** Sends one command with the run's signal; a failure becomes a task error naming `target`. */
  call<T>(target: Omit<S3Target, "endpoint">, send: (options: { abortSignal: AbortSignal }) => Promise<T>): Promise<T>;
  metric: RunContext["metric"];
}

export interface RunSource extends NetworkContext {
  readonly signal: AbortSignal;
  readonly storage: TaskStorage;
  readonly logger: Logger;
  metric?: RunContext["metric"];
}

/** Opens a client from `props`' connection properties, runs `work` and closes the client. */
export async function withS3<T>(
  flavor: S3Flavor,
  props: Readonly<Record<string, unknown>>,
  source: RunSource,
  work: (run: S3Run) => Promise<T>,
): Promise<T> {
  const settings = flavor.settings(props);
  const client = await createS3Client(settings, source, source.signal);
  const run: S3Run = {
    client,
    signal: source.signal,
    storage: source.storage,
    logger: source.logger,
    endpoint: settings.endpoint,
    call: (target, send) =>
      s3Call({ ...target, ...(settings.endpoint ? { endpoint: settings.endpoint } : {}) }, source.signal, () =>
        send({ abortSignal: source.signal }),
      ),
    metric: (metric) => source.metric?.(metric),
  };
  try {
    return await work(run);
  } finally {
    client.destroy();
  }
}
