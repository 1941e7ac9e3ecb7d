/**
 * A library loaded on first use, so that registering a plugin costs its definitions only: a
 * plugin whose tasks talk to Kafka, NATS or S3 would otherwise load those clients (hundreds of
 * modules, megabytes of heap) in every process that opens the engine, used or not.
 *
 * ```ts
 * const kafkajs = lazyImport(() => import("kafkajs"));
 * const { Kafka } = await kafkajs();
 * ```
 *
 * The import runs once; a failed one (a missing optional dependency, say) is tried again on the
 * next call instead of failing every later task run with the first error.
 */
export function lazyImport<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () =>
    (loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    }));
}
