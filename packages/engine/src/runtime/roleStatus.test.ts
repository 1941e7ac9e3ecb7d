import { describe, expect, it, vi } from "vitest";
import { openTestInstance } from "../testing/testInstance.ts";

describe("role status", () => {
  it("reports each role RUNNING once started, STOPPED once closed, and a scheduler not asked for as INITIALIZED", async () => {
    const test = await openTestInstance();
    const { instance } = test;
    expect(instance.status()).toEqual({
      executor: { state: "RUNNING", inFlight: 0, stepsRedone: 0 },
      worker: { state: "RUNNING", inFlight: 0 },
      scheduler: { state: "INITIALIZED", inFlight: 0 },
    });
    await test.close();
    expect(instance.status().executor.state).toBe("STOPPED");
    expect(instance.status().worker.state).toBe("STOPPED");
  });

  it("runs the scheduler when asked, and tells when its clock last ended a pass over the triggers", async () => {
    const openedAt = Date.now();
    const test = await openTestInstance({ scheduler: true });
    expect(test.instance.status().scheduler.state).toBe("RUNNING");
    await vi.waitFor(() => expect(test.instance.status().scheduler.lastPassDate).toBeDefined(), { timeout: 5_000 });
    const first = Date.parse(test.instance.status().scheduler.lastPassDate!);
    expect(first).toBeGreaterThanOrEqual(openedAt);
    // the clock passes once a second
    await vi.waitFor(() => expect(Date.parse(test.instance.status().scheduler.lastPassDate!)).toBeGreaterThan(first), {
      timeout: 5_000,
    });
    await test.close();
    expect(test.instance.status().scheduler.state).toBe("STOPPED");
  });
});
