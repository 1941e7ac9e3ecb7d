import { describe, expect, it } from "vitest";
import { conditionContext } from "./__tests__/support.ts";
import { parseCron } from "./cron.ts";
import { scheduleAccepts, scheduleConditions, scheduleConditionVariables } from "./scheduleConditions.ts";
import { plainScheduleVariables, scheduleVariables } from "./scheduleVariables.ts";

const C = "io.kestra.plugin.core.condition.";
const trigger = {
  id: "monthly",
  type: "io.kestra.plugin.core.trigger.Schedule",
  cron: "0 11 * * 1",
  conditions: [
    { type: `${C}DayWeekInMonth`, dayOfWeek: "MONDAY", dayInMonth: "FIRST" },
    { type: `${C}ExecutionStatus`, in: ["SUCCESS"] },
  ],
  scheduleConditions: [{ type: `${C}Not`, conditions: [{ type: `${C}PublicHoliday`, country: "FR" }] }],
};
const schedule = parseCron("0 11 * * 1", { timezone: "Europe/Paris" });

function accepts(date: Date): Promise<boolean> {
  const variables = scheduleConditionVariables({}, plainScheduleVariables(schedule, date));
  return scheduleAccepts(trigger, conditionContext({ variables }).test);
}

describe("schedule conditions", () => {
  it("keeps conditions and scheduleConditions a schedule can evaluate", () => {
    expect(scheduleConditions(trigger).map((c) => c.type)).toEqual([`${C}DayWeekInMonth`, `${C}Not`]);
  });

  it("accepts the first Monday of a month unless it is a holiday", async () => {
    expect(await accepts(new Date("2024-03-04T10:00:00Z"))).toBe(true); // first Monday of March
    expect(await accepts(new Date("2024-03-11T10:00:00Z"))).toBe(false); // second Monday
    expect(await accepts(new Date("2024-04-01T09:00:00Z"))).toBe(false); // first Monday of April: Easter Monday
  });

  it("next and previous skip the dates the conditions reject", async () => {
    const accept = async (dates: Parameters<typeof scheduleConditionVariables>[1]) =>
      scheduleAccepts(trigger, conditionContext({ variables: scheduleConditionVariables({}, dates) }).test);
    const variables = await scheduleVariables(schedule, new Date("2024-03-04T10:00:00Z"), { accept });
    // April's first Monday is Easter Monday: the next accepted date is in May
    expect(variables).toEqual({
      date: "2024-03-04T11:00:00+01:00",
      next: "2024-05-06T11:00:00+02:00",
      previous: "2024-02-05T11:00:00+01:00",
    });
  });

  it("a condition that cannot be evaluated rejects the date", async () => {
    const errors: unknown[] = [];
    const bad = { conditions: [{ type: `${C}DayWeek`, dayOfWeek: "MONDAY", date: "{{ nowhere }}" }] };
    expect(await scheduleAccepts(bad, conditionContext().test, (e) => errors.push(e))).toBe(false);
    expect(errors).toHaveLength(1);
  });
});
