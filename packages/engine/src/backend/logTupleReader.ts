/**
 * Reads the {@link LogTuple}s a backend's log pages give (`LogReads.pages`): their head, the fields
 * before the message as one JSON array, is parsed and its JSON text built once per distinct value.
 */
import type { LogLevel } from "@saker/sdk";
import type { LogTuple, StoredLog } from "./records.ts";
import { toLog } from "./rowMapping.ts";

/** The fields of a {@link LogTuple}'s head, in its order. */
type LogHead = [
  tenantId: string,
  namespace: string,
  flowId: string,
  executionId: string | null,
  taskId: string | null,
  taskRunId: string | null,
  attemptNumber: number | null,
  triggerId: string | null,
  level: LogLevel,
];

const q = JSON.stringify;

/**
 * Reads {@link LogTuple}s: each head is parsed, and its JSON text built, once per distinct value
 * (a bounded memory: it is emptied when it grows large).
 */
export class LogTupleReader {
  private readonly heads = new Map<string, { fields: LogHead; prefix: string }>();

  private head(text: string): { fields: LogHead; prefix: string } {
    let head = this.heads.get(text);
    if (head) return head;
    const f = JSON.parse(text) as LogHead;
    // the fields before the message in the order `toLog` gives them, up to `"message":`
    let s = f[0] !== "main" ? `{"tenantId":${q(f[0])},"namespace":` : `{"namespace":`;
    s += `${q(f[1])},"flowId":${q(f[2])}`;
    if (f[3]) s += `,"executionId":${q(f[3])}`;
    if (f[4]) s += `,"taskId":${q(f[4])}`;
    if (f[5]) s += `,"taskRunId":${q(f[5])}`;
    if (f[6] !== null) s += `,"attemptNumber":${q(f[6])}`;
    if (f[7]) s += `,"triggerId":${q(f[7])}`;
    s += `,"level":${q(f[8])},"message":`;
    if (this.heads.size >= 10_000) this.heads.clear();
    this.heads.set(text, (head = { fields: f, prefix: s }));
    return head;
  }

  level(t: LogTuple): LogLevel {
    return this.head(t[1]).fields[8];
  }

  /** The entry as a {@link StoredLog}. */
  log(t: LogTuple): StoredLog {
    const f = this.head(t[1]).fields;
    return toLog({
      seq: t[0],
      tenant_id: f[0],
      namespace: f[1],
      flow_id: f[2],
      execution_id: f[3],
      task_id: f[4],
      task_run_id: f[5],
      attempt_number: f[6],
      trigger_id: f[7],
      level: f[8],
      message: t[2],
      timestamp: t[3],
      thread: t[4],
    });
  }

  /**
   * `JSON.stringify` of the entry without its `seq` and with `message` in its place: the same
   * text, fields in the same order as `toLog` gives them, built without an object per row.
   */
  json(t: LogTuple, message: string): string {
    const tail = t[4] ? `,"timestamp":${q(t[3])},"thread":${q(t[4])}}` : `,"timestamp":${q(t[3])}}`;
    return this.head(t[1]).prefix + q(message) + tail;
  }
}
