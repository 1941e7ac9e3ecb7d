/** Logs as the server searches them: filtered, sorted (newest first by default) and paged by SQL. */
import type { LogQuery, LogTuple, StoredLog } from "../backend/records.ts";
import { LogTupleReader } from "../backend/logTupleReader.ts";
import type { Page, SearchQuery } from "../backend/search.ts";
import type { Instance } from "../runtime/instance.ts";
import { SEALED_PREFIX } from "../secrets/sealer.ts";

/** What the store's own query takes besides the filters: a level floor and a time window. */
export type LogScope = Pick<LogQuery, "minLevel" | "startDate" | "endDate">;

/** A page of log entries as the API shows them: each one's JSON text, and the last one's `seq`. */
export interface ShownLogPage {
  json: string[];
  lastSeq: number;
}

/**
 * Whether a string of the row may be sealed: one of its own strings starts with the prefix, or its
 * head (the JSON text of the other fields) holds it anywhere.
 */
function mayHoldSealed(t: LogTuple): boolean {
  return (
    t[1].includes(SEALED_PREFIX) ||
    t[2].startsWith(SEALED_PREFIX) ||
    t[3].startsWith(SEALED_PREFIX) ||
    (t[4]?.startsWith(SEALED_PREFIX) ?? false)
  );
}

export class LogsApi {
  constructor(private readonly instance: Instance) {}

  private get reads() {
    return this.instance.backend.reads.logs;
  }

  async search(scope: LogScope, query: SearchQuery): Promise<Page<StoredLog>> {
    const base: LogQuery = { tenantId: this.instance.config.tenantId, ...scope };
    return await this.reads.search(base, query);
  }

  /** The logs of one execution, oldest first. */
  async ofExecution(query: LogQuery & { executionId: string }): Promise<StoredLog[]> {
    return await this.instance.backend.logs.find(query);
  }

  /**
   * The logs `query` selects, oldest first, a page at a time (see `LogReads.pages`): rows, not
   * objects, for answers of 100,000 lines.
   */
  pages(query: LogQuery & { executionId: string }, size?: number): AsyncGenerator<LogTuple[]> {
    return this.reads.pages(query, size);
  }

  /**
   * {@link pages} as the API shows them: each entry's JSON text, exactly `JSON.stringify` of what
   * `secretGuard.display` gives for it (without `seq`), built without an object per entry. The
   * message, the only field `display` masks by value, is masked with the instance's masker; a row
   * holding a sealed string (none in practice) goes through `display` itself.
   */
  async *shownPages(query: LogQuery & { executionId: string }, size?: number): AsyncGenerator<ShownLogPage> {
    const guard = this.instance.secretGuard;
    const masker = guard.masker();
    const reader = new LogTupleReader();
    for await (const rows of this.reads.pages(query, size)) {
      const json = rows.map((t) => {
        if (!mayHoldSealed(t)) return reader.json(t, masker.maskString(t[2]));
        const { seq: _seq, ...entry } = reader.log(t);
        return JSON.stringify(guard.display(entry));
      });
      yield { json, lastSeq: rows[rows.length - 1]![0] };
    }
  }

  /** Deletes the logs of one execution; returns how many went. */
  async deleteOfExecution(executionId: string): Promise<number> {
    return await this.reads.deleteByExecution(executionId);
  }

  /** Deletes the logs of a flow: its executions' and its triggers', or one trigger's. */
  async deleteOfFlow(namespace: string, flowId: string, triggerId?: string): Promise<number> {
    const tenantId = this.instance.config.tenantId;
    return await this.reads.deleteByFlow(tenantId, namespace, flowId, triggerId);
  }
}
