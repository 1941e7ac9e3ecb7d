/**
 * V8's elements kinds are seen only with natives syntax, so the check runs in a child node with
 * `--allow-natives-syntax`, on the built module (npm test builds first): each way of mapping is
 * run interpreted, then optimized by TurboFan, and its result's elements kind is read.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runNativesProbe } from "../testing/nativesProbe.ts";

const BUILT = fileURLToPath(new URL("../../dist/model/packedMap.js", import.meta.url));

const PROBE = `
const { packedMap } = await import(${JSON.stringify(BUILT)});
const toObject = (x) => ({ value: x });
function viaMap(items) { return items.map(toObject); }
function viaPackedMap(items) { return packedMap(items, toObject); }
const input = [1, 2, 3, 4];
const out = {};
for (const [name, f] of [["map", viaMap], ["packedMap", viaPackedMap]]) {
  %PrepareFunctionForOptimization(f);
  %PrepareFunctionForOptimization(packedMap);
  const interpreted = f(input);
  out[name] = { interpretedHoley: %HasHoleyElements(interpreted), values: interpreted.map((o) => o.value) };
  f(input);
  %OptimizeFunctionOnNextCall(f);
  %OptimizeFunctionOnNextCall(packedMap);
  const optimized = f(input);
  out[name].optimizedHoley = %HasHoleyElements(optimized);
  out[name].turbofanned = (%GetOptimizationStatus(f) & 16) !== 0;
}
console.log(JSON.stringify(out));
`;

describe("packedMap", () => {
  it("returns the mapped items as a packed array in interpreted and optimized code, where an optimized map gives a holey one", () => {
    expect(existsSync(BUILT), `${BUILT} is built by npm test (tsc -b)`).toBe(true);
    const { stderr, output: result } =
      runNativesProbe<
        Record<
          "map" | "packedMap",
          { interpretedHoley: boolean; optimizedHoley: boolean; turbofanned: boolean; values: number[] }
        >
      >(PROBE);
    expect(stderr).toBe("");
    expect(result.packedMap).toEqual({
      interpretedHoley: false,
      optimizedHoley: false,
      turbofanned: true,
      values: [1, 2, 3, 4],
    });
    // why packedMap exists (its doc comment): should V8 stop doing this, it is no longer needed
    expect(result.map).toMatchObject({ interpretedHoley: false, optimizedHoley: true, turbofanned: true });
  });
});
