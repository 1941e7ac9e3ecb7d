/**
 * The loop every `Consume`/`ListPop`-style task runs: poll a batch, hand each record on, and stop
 * when a poll comes back empty, `maxRecords` records were taken, `maxDuration` has passed, or the
 * task is stopped. Kestra checks its limits between polls; so does this loop, and it also asks
 * each poll for no more than the records still allowed.
 */
import { NonRetryableError, TaskError, duration, z } from "@saker/sdk";

export interface ConsumeLimits {
  /** Stop once this many records were taken. */
  maxRecords?: number | undefined;
  /** Stop polling once this many milliseconds have passed since the start. */
  maxDuration?: number | undefined;
  /** Stop after a poll that returned nothing (Kestra's behaviour for every consumer). Default true. */
  stopWhenEmpty?: boolean;
}

export interface ConsumeLoopOptions<T> extends ConsumeLimits {
  /** Aborted when the task times out or is killed: the loop ends with an error then. */
  signal: AbortSignal;
  /** Fetches up to `max` records (fewer, or none, when the wait ran out). */
  poll(max: number | undefined): Promise<readonly T[]>;
  /** Called for each record in order; the record counts once this resolved. */
  onRecord(record: T, index: number): Promise<void> | void;
}

export interface ConsumeResult {
  count: number;
  /** Why the loop stopped. */
  reason: "empty" | "maxRecords" | "maxDuration";
}

/** Runs the loop; resolves with the number of records handled. */
export async function consumeLoop<T>(options: ConsumeLoopOptions<T>): Promise<ConsumeResult> {
  const started = Date.now();
  const stopWhenEmpty = options.stopWhenEmpty ?? true;
  let count = 0;
  for (;;) {
    if (options.signal.aborted) throw new TaskError("the consumer was stopped (the task timed out or was killed)");
    const remaining = options.maxRecords === undefined ? undefined : options.maxRecords - count;
    const batch = await options.poll(remaining);
    for (const record of batch) {
      await options.onRecord(record, count);
      count++;
    }
    if (options.maxRecords !== undefined && count >= options.maxRecords) return { count, reason: "maxRecords" };
    if (options.maxDuration !== undefined && Date.now() - started >= options.maxDuration)
      return { count, reason: "maxDuration" };
    if (batch.length === 0 && stopWhenEmpty) return { count, reason: "empty" };
  }
}

/** `maxRecords`/`maxDuration` must bound a loop that would otherwise never end (Redis' ListPop rule). */
export function requireLimit(limits: ConsumeLimits, what: string): void {
  if (limits.maxRecords === undefined && limits.maxDuration === undefined)
    throw new NonRetryableError(`${what}: maxDuration or maxRecords must be set, or the consumer would never stop`);
}

/** Kestra's `maxRecords` property. */
export const maxRecordsProperty = () =>
  z.number().int().min(1).optional().describe("The most records to take; the consumer stops once it reached them.");

/** Kestra's `maxDuration` property (milliseconds once parsed). */
export const maxDurationProperty = () =>
  duration().optional().describe("How long to keep polling at most (ISO-8601, e.g. PT30S); checked between polls.");
