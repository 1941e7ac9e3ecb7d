/**
 * The grok matching threads on their own: matches come back per line and expression, a stop
 * terminates a stuck thread, a thread released mid-match never serves another lease, at most two
 * leases run at once (a freed slot goes to the first waiter) and a stop ends a wait for one.
 */
import { describe, expect, it } from "vitest";
import { GrokThread } from "./matchThreads.ts";

const STUCK = { regex: /(?<x>(a+)+b)/, line: "a".repeat(40) };

describe("GrokThread", () => {
  it("gives each line's groups per expression, stopping at the first match unless told otherwise", async () => {
    const regexes = [/(?<n>\d+)/, /(?<w>[a-z]+)/];
    const first = await GrokThread.lease(regexes, true, new AbortController().signal);
    try {
      expect(await first.match(["42 x", "abc", "--"])).toEqual([[{ n: "42" }], [null, { w: "abc" }], [null, null]]);
    } finally {
      first.release();
    }
    const all = await GrokThread.lease(regexes, false, new AbortController().signal);
    try {
      expect(await all.match(["42 x"])).toEqual([[{ n: "42" }, { w: "x" }]]);
    } finally {
      all.release();
    }
  });

  it("a stop terminates a stuck thread; a third lease waits for one of two, and a stop ends its wait", async () => {
    const stops = [new AbortController(), new AbortController(), new AbortController()];
    const busy = await Promise.all(stops.slice(0, 2).map((s) => GrokThread.lease([STUCK.regex], true, s.signal)));
    const stuck = busy.map((thread) => thread.match([STUCK.line]));
    const third = GrokThread.lease([STUCK.regex], true, stops[2]!.signal);
    stops[2]!.abort(new Error("stopped while waiting"));
    await expect(third).rejects.toThrow("stopped while waiting");

    stops[0]!.abort(new Error("killed"));
    await expect(stuck[0]).rejects.toThrow("killed");
    busy[0]!.release();
    // the freed slot goes to the next lease
    const next = await GrokThread.lease([/(?<d>\d)/], true, new AbortController().signal);
    expect(await next.match(["7"])).toEqual([[{ d: "7" }]]);
    next.release();

    stops[1]!.abort(new Error("killed too"));
    await expect(stuck[1]).rejects.toThrow("killed too");
    busy[1]!.release();
    expect(() => busy[1]!.match(["x"])).toThrow("killed too");
  });

  it("a thread released while it matches is terminated: the next lease gets its own answers", async () => {
    const first = await GrokThread.lease([STUCK.regex], true, new AbortController().signal);
    const abandoned = first.match([STUCK.line]);
    // as when the storage fails while a batch matches: the task gives up on the answer
    first.release();
    await expect(abandoned).rejects.toThrow("released while matching");
    for (let i = 0; i < 3; i++) {
      const next = await GrokThread.lease([/(?<d>\d)/], true, new AbortController().signal);
      try {
        expect(await next.match([String(i)])).toEqual([[{ d: String(i) }]]);
      } finally {
        next.release();
      }
    }
  });

  it("a freed slot goes to the first waiter, never to a lease asked for meanwhile", async () => {
    const signal = new AbortController().signal;
    const [a, b] = await Promise.all([GrokThread.lease([/a/], true, signal), GrokThread.lease([/b/], true, signal)]);
    const order: string[] = [];
    const c = GrokThread.lease([/c/], true, signal).then((t) => (order.push("c"), t));
    a!.release();
    const d = GrokThread.lease([/d/], true, signal).then((t) => (order.push("d"), t));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(order).toEqual(["c"]);
    b!.release();
    await d;
    expect(order).toEqual(["c", "d"]);
    (await c).release();
    (await d).release();
  });
});
