import { afterAll, describe, expect, it, vi } from "vitest";
import { KillSwitch, type Abortable } from "../model/killSwitch.ts";
import { closeJqThreads, defaultEngine, type RenderLimits } from "./index.ts";

const renderAsync = (template: string, limits: Partial<RenderLimits> = {}, signal?: Abortable) =>
  defaultEngine.renderAsync(template, {}, { limits, ...(signal ? { signal } : {}) });

async function failure(
  template: string,
  limits: Partial<RenderLimits> = {},
  signal?: Abortable,
): Promise<Error & { code?: string }> {
  try {
    await renderAsync(template, limits, signal);
  } catch (error) {
    return error as Error;
  }
  throw new Error(`expected '${template}' to fail`);
}

/** Counts timer callbacks while `work` runs: a probe that the event loop kept turning. */
async function withLoopProbe<T>(work: () => Promise<T>): Promise<{ result: PromiseSettledResult<T>; ticks: number }> {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 20);
  try {
    const [result] = await Promise.allSettled([work()]);
    return { result: result!, ticks };
  } finally {
    clearInterval(timer);
  }
}

afterAll(() => closeJqThreads());

describe("the pure-JS evaluator's time budget", () => {
  it("fails an exponential macro recursion with a clear error", async () => {
    const template = "{% macro f(n) %}{% if n < 40 %}{{ f(n + 1) }}{{ f(n + 1) }}{% endif %}{% endmacro %}{{ f(0) }}";
    const error = await failure(template, { evaluationTimeoutMs: 50 });
    expect(error.code).toBe("EXPRESSION_ERROR");
    expect(error.message).toContain(
      "the expression ran longer than its time budget of 50 ms (expressions.evaluationTimeoutMs)",
    );
  });

  it("fails loops doing heavy work per iteration, sync render included", () => {
    const template =
      "{% for i in range(1, 100000) %}{% set s = ('x' ~ i) | replace({'x': 'yy'}) | upper | lower | split('y') | join('-') %}{% endfor %}";
    expect(() => defaultEngine.render(template, {}, { limits: { evaluationTimeoutMs: 20 } })).toThrow(
      /time budget of 20 ms/,
    );
  });

  it("gives each asynchronous pass its own budget, and is configurable", async () => {
    expect(
      await renderAsync("{% for i in range(1, 2000) %}{% endfor %}{{ 1 | jq('.+1') | first }}", {
        evaluationTimeoutMs: 1000,
      }),
    ).toBe("2");
  });
});

describe("the memory budget: sizes are refused before they are built", () => {
  it.each([
    ["{{ range(1, 1000000000) | length }}", "a range of 1000000000 items exceeds the limit of 100000"],
    ["{{ 1..1000000000 }}", "a range of 1000000000 items exceeds the limit of 100000"],
    [
      "{% set s = 'aaaaaaaaaa' %}{% for i in range(1, 40) %}{% set s = s ~ s %}{% endfor %}{{ s }}",
      "a string exceeds 10000000 characters",
    ],
    ["{{ 'a' | indent(500000000) }}", "an indent of 500000000 exceeds the output limit of 10000000 characters"],
    [
      "{% set l = range(1, 50000) %}{% for i in range(1, 30) %}{% set l = l | merge(l) %}{% endfor %}{{ l | length }}",
      "a list of 1600000 items exceeds the limit of 1000000",
    ],
  ])("%s", async (template, message) => {
    // A generous time budget, so that the size limit is what stops these.
    expect((await failure(template, { evaluationTimeoutMs: 10_000 })).message).toContain(message);
  });

  it("refuses iterating a string longer than the iteration limit", async () => {
    await expect(
      defaultEngine.renderAsync(
        "{% for c in s %}{% endfor %}",
        { s: "x".repeat(11) },
        { limits: { maxIterations: 10 } },
      ),
    ).rejects.toThrow("more than 10 loop iterations");
  });
});

describe("jq runs in a worker thread under a time and memory budget", () => {
  it("stops a filter that never ends, while the event loop keeps turning", async () => {
    const { result, ticks } = await withLoopProbe(() =>
      renderAsync("{{ 1 | jq('def f: f; f') }}", { jqTimeoutMs: 600 }),
    );
    expect(result.status).toBe("rejected");
    expect((result as PromiseRejectedResult).reason.message).toContain(
      "jq 'def f: f; f' did not finish within its time budget of 600 ms (expressions.jqTimeoutMs) and was stopped",
    );
    expect(ticks).toBeGreaterThan(5);
  });

  it("stops last(range(1e10)), then runs the next call on a fresh thread", async () => {
    expect((await failure("{{ 1 | jq('last(range(1e10))') }}", { jqTimeoutMs: 500 })).message).toContain(
      "did not finish within its time budget of 500 ms",
    );
    expect(await renderAsync("{{ {'a': [1, 2]} | jq('.a | add') | first }}")).toBe("3");
  });

  it("fails a filter that needs more memory than its budget", async () => {
    const error = await failure("{{ 1 | jq('[range(1e9)] | length') }}", { jqMemoryMb: 64, jqTimeoutMs: 30_000 });
    expect(error.message).toContain("used more than its memory budget of 64 MB (expressions.jqMemoryMb)");
    expect(await renderAsync("{{ [3, 4] | jq('.[1]') | first }}", { jqMemoryMb: 64 })).toBe("4");
  });

  it("stops when the render's signal aborts (a task's kill or timeout)", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("task timed out")), 300);
    const error = await failure("{{ 1 | jq('def f: f; f') }}", { jqTimeoutMs: 60_000 }, controller.signal);
    expect(error.message).toContain("task timed out");
  });

  it("stops when a task run's KillSwitch is thrown, its AbortSignal made for jq only then", async () => {
    const kill = new KillSwitch();
    setTimeout(() => kill.abort(new Error("task killed")), 300);
    const error = await failure("{{ 1 | jq('def f: f; f') }}", { jqTimeoutMs: 60_000 }, kill);
    expect(error.message).toContain("task killed");
    // a render that calls no function needing one leaves the switch without an AbortSignal
    const idle = new KillSwitch();
    const asked = vi.spyOn(idle, "signal", "get");
    expect(await renderAsync("{{ [1, 2] | length }}", {}, idle)).toBe("2");
    expect(asked).not.toHaveBeenCalled();
  });

  it("keeps jq's own errors, and refuses a synchronous render", async () => {
    expect((await failure("{{ 1 | jq('error(\"boom\")') }}")).message).toContain("jq failed on 'error(\"boom\")'");
    expect((await failure("{{ 1 | jq('.[') }}")).message).toContain("jq failed on '.['");
    expect(() => defaultEngine.render("{{ 1 | jq('.') }}", {})).toThrow("needs asynchronous rendering");
  });
});
