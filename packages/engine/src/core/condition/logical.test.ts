import { describe, expect, it } from "vitest";
import { check, execution } from "../../scheduler/__tests__/support.ts";

const C = "io.kestra.plugin.core.condition.";
const weekend = { type: `${C}Weekend` };
const holiday = { type: `${C}PublicHoliday`, country: "FR" };
const at = (date: string) => ({ variables: { trigger: { date } } });

describe("Not", () => {
  const workingDay = { type: `${C}Not`, conditions: [holiday, weekend] };
  it("holds when none of its conditions does", async () => {
    expect(await check(workingDay, at("2024-07-12T09:00:00+02:00"))).toBe(true); // a Friday
    expect(await check(workingDay, at("2024-07-13T09:00:00+02:00"))).toBe(false); // a Saturday
    expect(await check(workingDay, at("2024-07-15T09:00:00+02:00"))).toBe(true); // Monday after the 14th
    expect(await check(workingDay, at("2024-05-01T09:00:00+02:00"))).toBe(false); // Labour day, a Wednesday
  });
  it("answers to NotCondition and needs at least one condition", async () => {
    expect(await check({ type: `${C}NotCondition`, conditions: [weekend] }, at("2024-07-13T09:00:00Z"))).toBe(false);
    await expect(check({ type: `${C}Not`, conditions: [] })).rejects.toThrow(/conditions.*at least 1/);
  });
});

describe("Or", () => {
  it("holds when one of its conditions does, nested conditions included", async () => {
    const ex = execution({ state: { current: "WARNING" } });
    const node = {
      type: `${C}Or`,
      conditions: [
        { type: `${C}ExecutionStatus`, in: ["FAILED"] },
        { type: `${C}Not`, conditions: [{ type: `${C}ExecutionStatus`, in: ["SUCCESS", "WARNING"] }] },
      ],
    };
    expect(await check(node, { execution: ex })).toBe(false);
    expect(await check(node, { execution: execution({ state: { current: "KILLED" } }) })).toBe(true);
    expect(await check(node, { execution: execution({ state: { current: "FAILED" } }) })).toBe(true);
  });
  it("fails on a nested condition of an unknown type", async () => {
    await expect(check({ type: `${C}Or`, conditions: [{ type: `${C}Nope` }] })).rejects.toThrow(/unknown type/);
  });
});

describe("MultipleCondition", () => {
  it("cannot be evaluated outside a Flow trigger, which keeps its window", async () => {
    const node = {
      type: `${C}MultipleCondition`,
      id: "both",
      conditions: { a: { type: `${C}ExecutionFlow`, namespace: "n", flowId: "a" } },
    };
    await expect(check(node, { execution: execution() })).rejects.toThrow(/only evaluated by a Flow trigger/);
  });
});
