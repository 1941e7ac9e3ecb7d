/**
 * How both backends store an execution as text: one document for everything but the task runs
 * (`json`, and `summary` without the outputs, for lists), and one text per task run (with its
 * summary), so that a step writes only the runs it changed. Reading puts the runs back.
 */
import type { Execution } from "../model/execution.ts";

type TaskRun = Execution["taskRunList"][number];
type Head = Omit<Execution, "taskRunList">;

/** The execution without its task runs. */
function headOf(x: Execution): Head {
  const { taskRunList: _runs, ...head } = x;
  return head;
}

/** The head's text and its summary's (the same text while it has no outputs). */
export function headTexts(x: Execution): { text: string; summary: string } {
  const head = headOf(x);
  const text = JSON.stringify(head);
  if (head.outputs === undefined) return { text, summary: text };
  const { outputs: _outputs, ...summary } = head;
  return { text, summary: JSON.stringify(summary) };
}

/** A task run's text without its outputs (`text`: `JSON.stringify(run)`, reused when it has none). */
export function runSummary(run: TaskRun, text: string): string {
  if (run.outputs === undefined) return text;
  // the outputs' entry cut out of the text, when found at the top level: the rest of the run is
  // not copied and serialised again
  const entry = `"outputs":${JSON.stringify(run.outputs)}`;
  const at = text.indexOf(entry);
  if (at > 0 && topLevel(text, at)) {
    const end = at + entry.length;
    if (text[at - 1] === ",") return text.slice(0, at - 1) + text.slice(end);
    if (text[end] === ",") return text.slice(0, at) + text.slice(end + 1);
    return text.slice(0, at) + text.slice(end);
  }
  const { outputs: _outputs, ...rest } = run;
  return JSON.stringify(rest);
}

/** Whether position `at` of an object's JSON text is directly inside it (not in a string or a nested value). */
function topLevel(text: string, at: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < at; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) depth++;
    else if (c === 125 /* } */ || c === 93 /* ] */) depth--;
  }
  return depth === 1 && !inString;
}

/** A document's text with its task runs' texts put back (as the last key). */
export function withRuns(head: string, runs: readonly string[]): string {
  return `${head.slice(0, -1)},"taskRunList":[${runs.join(",")}]}`;
}
