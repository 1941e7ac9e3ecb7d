/** Runnable core tasks beyond the basics: KV, storage, HTTP, namespace files, logs, executions. */
import type { AnyTypeDefinition } from "../plugins/registry.ts";

export const CORE_RUNNABLE_TASKS: readonly AnyTypeDefinition[] = [];
