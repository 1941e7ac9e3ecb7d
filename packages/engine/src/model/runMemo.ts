/**
 * Values derived from a task run (its JSON text, the secrets sealed in it), kept per task run
 * object and computed again only when one of its fields, or one of its attempts' fields, holds
 * another value. The executor changes a task run by replacing these (a new state, new outputs, an
 * attempt added or its state replaced), never deep inside them, so a task run whose fields all
 * hold the same values as before derives the same. Weak: a task run no one holds is forgotten.
 */
import type { TaskRun } from "./execution.ts";

function printOf(run: TaskRun): unknown[] {
  const print: unknown[] = [];
  for (const key in run) print.push(key, run[key as keyof TaskRun]);
  for (const attempt of run.attempts ?? []) for (const key in attempt) print.push(key, attempt[key as "state"]);
  return print;
}

function matches(print: readonly unknown[], run: TaskRun): boolean {
  let i = 0;
  for (const key in run) if (print[i++] !== key || print[i++] !== run[key as keyof TaskRun]) return false;
  for (const attempt of run.attempts ?? [])
    for (const key in attempt) if (print[i++] !== key || print[i++] !== attempt[key as "state"]) return false;
  return i === print.length;
}

export class RunMemo<T> {
  private readonly memo = new WeakMap<TaskRun, { print: unknown[]; value: T }>();

  constructor(private readonly compute: (run: TaskRun) => T) {}

  get(run: TaskRun): T {
    const known = this.memo.get(run);
    if (known && matches(known.print, run)) return known.value;
    const value = this.compute(run);
    this.memo.set(run, { print: printOf(run), value });
    return value;
  }
}
