import { describe, expect, it } from "vitest";
import { KillSwitch, signalOf, untilOrStopped } from "./killSwitch.ts";

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

  it("forgets a listener removed before the abort, and calls one added after it at once, once", () => {
    const kill = new KillSwitch();
    const calls: string[] = [];
    const remove = kill.onAbort(() => calls.push("removed"));
    kill.onAbort(() => calls.push("kept"));
    remove();
    kill.abort(new Error("stop"));
    expect(calls).toEqual(["kept"]);
    kill.onAbort(() => calls.push("late"))();
    kill.abort(new Error("again"));
    expect(calls).toEqual(["kept", "late"]);
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

describe("untilOrStopped", () => {
  /** A switch that counts the listeners it holds (added, less removed). */
  function countingSwitch() {
    const kill = new KillSwitch();
    const held = { count: 0 };
    const onAbort = kill.onAbort.bind(kill);
    kill.onAbort = (listener) => {
      held.count++;
      const remove = onAbort(listener);
      return () => {
        held.count--;
        remove();
      };
    };
    return { kill, held };
  }

  it("ends at the call back and takes its listener off the switch, wait after wait", async () => {
    const { kill, held } = countingSwitch();
    for (let i = 0; i < 3; i++) {
      let done!: () => void;
      const wait = untilOrStopped(kill, (callBack) => (done = callBack));
      expect(held.count).toBe(1);
      done();
      await wait;
      expect(held.count).toBe(0);
    }
  });

  it("ends when the switch stops, though the call back never comes", async () => {
    const kill = new KillSwitch();
    const wait = untilOrStopped(kill, () => undefined);
    kill.abort(new Error("killed"));
    await expect(wait).resolves.toBeUndefined();
    // stopped already: no wait and nothing registered
    let registered = false;
    await untilOrStopped(kill, () => (registered = true));
    expect(registered).toBe(false);
  });
});
