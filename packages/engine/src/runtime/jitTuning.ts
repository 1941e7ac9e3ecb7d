/**
 * V8's tier-up for an orchestrator's hot path. One execution step calls a few hundred small
 * functions once each, so with V8's default interrupt budget a function reaches the optimizing
 * compiler only after several hundred executions, and a new process runs its first few thousand
 * at about half its warm speed. A smaller budget makes such functions hot sooner. The flag is the
 * process's: it is set once, at the first open, and never when the process was started with its
 * own `--interrupt-budget` (node's arguments), which then wins.
 */
import { setFlagsFromString } from "node:v8";

/** V8's default is 67,584 bytes of bytecode between two profiler ticks of a function. */
const INTERRUPT_BUDGET = 16_384;

let tuned = false;

/** Whether the process's own arguments set the interrupt budget. */
export function budgetSetByProcess(execArgv: readonly string[] = process.execArgv): boolean {
  return execArgv.some((arg) => /^--interrupt[-_]budget=/.test(arg));
}

/**
 * Lowers V8's interrupt budget for the functions that get their feedback from now on (the
 * engine's hot path, first called after the open); a no-op after the first call.
 * Returns whether this call set it.
 */
export function tuneJit(): boolean {
  if (tuned) return false;
  tuned = true;
  if (budgetSetByProcess()) return false;
  setFlagsFromString(`--interrupt-budget=${INTERRUPT_BUDGET}`);
  return true;
}
