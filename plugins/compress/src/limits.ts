/**
 * Decompression limits against archive bombs: how many entries an archive may hold and how many
 * bytes everything may expand to. A task property wins over the plugin configuration
 * (`plugins.configurations` with `type: io.kestra.plugin.compress`: `maxEntries`, `maxSize`),
 * which wins over the defaults.
 */
import { NonRetryableError, z } from "@saker/sdk";

export const DEFAULT_MAX_ENTRIES = 10_000;
export const DEFAULT_MAX_SIZE = 1024 * 1024 * 1024;

export const limitProperties = {
  maxEntries: z
    .number()
    .int()
    .positive()
    .optional()
    .describe(`Most entries an archive may hold (Saker; default ${DEFAULT_MAX_ENTRIES}).`),
  maxSize: z
    .number()
    .int()
    .positive()
    .optional()
    .describe(`Most bytes the decompressed content may total (Saker; default ${DEFAULT_MAX_SIZE}, 1 GiB).`),
};

export interface Limits {
  maxEntries: number;
  maxSize: number;
}

function positive(value: unknown): number | undefined {
  return typeof value === "number" && Number.isInteger(value) && value > 0 ? value : undefined;
}

export function limitsOf(
  props: { maxEntries?: number | undefined; maxSize?: number | undefined },
  configuration: Readonly<Record<string, unknown>>,
): Limits {
  return {
    maxEntries: props.maxEntries ?? positive(configuration.maxEntries) ?? DEFAULT_MAX_ENTRIES,
    maxSize: props.maxSize ?? positive(configuration.maxSize) ?? DEFAULT_MAX_SIZE,
  };
}

/** Counts expanded bytes and entries; throws once a limit is passed. */
export class Budget {
  private bytes = 0;
  private entries = 0;
  constructor(private readonly limits: Limits) {}

  entry(name: string): void {
    this.entries += 1;
    if (this.entries > this.limits.maxEntries)
      throw new NonRetryableError(
        `the archive holds more than ${this.limits.maxEntries} entries (maxEntries), stopped at '${name}'`,
      );
  }

  add(count: number, name: string): void {
    this.bytes += count;
    if (this.bytes > this.limits.maxSize)
      throw new NonRetryableError(
        `the decompressed content is larger than ${this.limits.maxSize} bytes (maxSize), stopped in '${name}'`,
      );
  }
}
