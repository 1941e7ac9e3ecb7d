import { describe, expect, it } from "vitest";
import { InstanceEventsFacade } from "../runtime/instanceEvents.ts";
import type { Execution } from "../model/execution.ts";
import { LocalNotifier, NOTIFY } from "./notifier.ts";

describe("LocalNotifier", () => {
  it("calls the listeners of a topic with the payload, each subscription once, until unsubscribed", () => {
    const errors: string[] = [];
    const notifier = new LocalNotifier((topic) => errors.push(topic));
    const heard: unknown[] = [];
    const listener = (payload: unknown) => heard.push(payload);
    const off = notifier.on("queue:executor", listener);
    notifier.on("queue:executor", listener);
    notifier.on("queue:executor", () => {
      throw new Error("a broken listener");
    });
    notifier.notify("queue:worker", "elsewhere");
    notifier.notify("queue:executor", 1);
    expect(heard).toEqual([1, 1]);
    expect(errors).toEqual(["queue:executor"]);
    off();
    notifier.notify("queue:executor", 2);
    expect(heard).toEqual([1, 1, 2]);
  });
});

describe("instance.events over the notifier", () => {
  it("delivers what the loops notify, and off() removes one registration of a handler", () => {
    const notifier = new LocalNotifier();
    const events = new InstanceEventsFacade(notifier);
    const seen: string[] = [];
    const onExecution = (x: Execution) => seen.push(x.id);
    events.on("execution", onExecution).on("execution", onExecution);
    notifier.notify(NOTIFY.execution, { id: "a" });
    events.off("execution", onExecution);
    events.emit("execution", { id: "b" } as Execution);
    events.off("execution", onExecution);
    notifier.notify(NOTIFY.execution, { id: "c" });
    expect(seen).toEqual(["a", "a", "b"]);
    expect(events.listenerCount("execution")).toBe(0);
    expect(notifier.listenerCount(NOTIFY.execution)).toBe(0);
  });
});
