/**
 * When a function reaches TurboFan is seen only with natives syntax, so each case runs in a child
 * node with `--allow-natives-syntax` (and synchronous optimization, for a count that does not
 * depend on a background thread) on the built module (npm test builds first). The probe calls a
 * small function in rounds of 50 from a caller that is never optimized (so nothing inlines it) and
 * prints after how many calls it was optimized.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runNativesProbe } from "../testing/nativesProbe.ts";
import { budgetSetByProcess } from "./jitTuning.ts";

const BUILT = fileURLToPath(new URL("../../dist/runtime/jitTuning.js", import.meta.url));

const PROBE = `
const { tuneJit } = await import(${JSON.stringify(BUILT)});
const set = process.env.TUNE ? tuneJit() : false;
function step(o, i) { o.n = (o.n + i * 3) % 1000; return o.n > 500 ? o.n - 1 : o.n + 1; }
function drive(calls) { const o = { n: 0 }; let s = 0; for (let i = 0; i < calls; i++) s += step(o, i); return s; }
%NeverOptimizeFunction(drive);
let calls = 0;
let optimizedAfter = null;
while (calls < 20000 && optimizedAfter === null) {
  drive(50);
  calls += 50;
  if ((%GetOptimizationStatus(step) & 16) !== 0) optimizedAfter = calls;
}
console.log(JSON.stringify({ set, optimizedAfter, again: process.env.TUNE ? tuneJit() : false }));
`;

type Probe = { set: boolean; optimizedAfter: number | null; again: boolean };

function probe(tune: boolean, nodeArgs: string[] = []): Probe {
  const { stderr, output } = runNativesProbe<Probe>(PROBE, {
    nodeArgs: ["--no-concurrent-recompilation", ...nodeArgs],
    env: { ...process.env, TUNE: tune ? "1" : "" },
  });
  expect(stderr).toBe("");
  return output;
}

describe("tuneJit", () => {
  it("makes a function called over and over reach TurboFan after far fewer calls, once per process", () => {
    expect(existsSync(BUILT), `${BUILT} is built by npm test (tsc -b)`).toBe(true);
    const untuned = probe(false);
    const tuned = probe(true);
    expect(untuned.optimizedAfter).not.toBeNull();
    expect(tuned.set).toBe(true);
    expect(tuned.again).toBe(false);
    expect(tuned.optimizedAfter).not.toBeNull();
    // V8's default budget is about four times the tuned one; its first tick comes after the
    // feedback vector, hence not quite 4x (650 against 1,500 calls on Node 20)
    expect(tuned.optimizedAfter!).toBeLessThanOrEqual(untuned.optimizedAfter! * 0.6);
  });

  it("leaves the budget alone when node was started with its own", () => {
    const untuned = probe(false);
    const own = probe(true, ["--interrupt-budget=67584"]);
    expect(own.set).toBe(false);
    expect(own.optimizedAfter).toBe(untuned.optimizedAfter);
  });
});

describe("budgetSetByProcess", () => {
  it("sees --interrupt-budget=… in either spelling (node takes no other form), and nothing else", () => {
    expect(budgetSetByProcess(["--interrupt-budget=1000"])).toBe(true);
    expect(budgetSetByProcess(["--expose-gc", "--interrupt_budget=1000"])).toBe(true);
    expect(budgetSetByProcess(["--interrupt-budget-for-feedback-allocation=940"])).toBe(false);
    expect(budgetSetByProcess(["--expose-gc"])).toBe(false);
    expect(budgetSetByProcess([])).toBe(false);
  });
});
