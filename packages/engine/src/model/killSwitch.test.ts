import { describe, expect, it } from "vitest";
import { KillSwitch, signalOf } from "./killSwitch.ts";

describe("KillSwitch", () => {
  it("calls each listener once at the abort, with the first reason kept", () => {
    const kill = new KillSwitch();
    const calls: string[] = [];
    kill.onAbort(() => calls.push(`a:${String(kill.reason)}`));
    kill.onAbort(() => calls.push("b"));
    expect(kill.aborted).toBe(false);
    expect(() => kill.throwIfAborted()).not.toThrow();
    kill.abort("first");
    kill.abort("second");
    expect(calls).toEqual(["a:first", "b"]);
    expect(kill.aborted).toBe(true);
    expect(kill.reason).toBe("first");
    expect(() => kill.throwIfAborted()).toThrow("first");
  });

  it("forgets a listener removed before the abort, and never calls one added after it", () => {
    const kill = new KillSwitch();
    const calls: string[] = [];
    const remove = kill.onAbort(() => calls.push("removed"));
    kill.onAbort(() => calls.push("kept"));
    remove();
    kill.abort(new Error("stop"));
    kill.onAbort(() => calls.push("late"));
    expect(calls).toEqual(["kept"]);
  });

  it("makes its AbortSignal only when asked, the same one each time, aborted with the switch", () => {
    const kill = new KillSwitch();
    const signal = kill.signal;
    expect(kill.signal).toBe(signal);
    expect(signal.aborted).toBe(false);
    const reason = new Error("killed");
    kill.abort(reason);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe(reason);
  });

  it("gives an aborted AbortSignal, with the reason, when first asked after the abort", () => {
    const kill = new KillSwitch();
    const reason = new Error("timed out");
    kill.abort(reason);
    expect(kill.signal.aborted).toBe(true);
    expect(kill.signal.reason).toBe(reason);
  });

  it("hands an AbortSignal through signalOf unchanged", () => {
    const controller = new AbortController();
    expect(signalOf(controller.signal)).toBe(controller.signal);
    expect(signalOf(undefined)).toBeUndefined();
    const kill = new KillSwitch();
    expect(signalOf(kill)).toBe(kill.signal);
  });
});
