import { describe, expect, it } from "vitest";
import type { Metric } from "@saker/sdk";
import { createTaskLogger, SecretMasker } from "@saker/engine/testing";
import { OutputReader } from "@saker/sdk/outputProtocol";

function reader() {
  const logs: string[] = [];
  const metrics: Metric[] = [];
  const logger = createTaskLogger({ namespace: "company.scripts", flowId: "protocol" }, new SecretMasker(), (entry) =>
    logs.push(`${entry.level} ${entry.message}`),
  );
  return { logs, metrics, reader: new OutputReader(logger, (m) => metrics.push(m)) };
}

describe("the ::{}:: protocol", () => {
  it("merges outputs key by key, records metrics (timers from seconds to ms) and logs at their level", () => {
    const { logs, metrics, reader: r } = reader();
    r.line('::{"outputs":{"a":1,"b":{"x":1}}}::', "stdout");
    r.line(
      '::{"outputs":{"b":{"y":2}},"metrics":[{"name":"n","type":"counter","value":3,"tags":{"t":1}},{"name":"d","type":"timer","value":0.5}]}::',
      "stdout",
    );
    r.line('::{"logs":[{"level":"warn","message":"w"},{"level":"nope","message":"i"}]}::', "stderr");
    r.line("plain {}", "stdout");
    r.line("bad", "stderr");
    expect(r.vars).toEqual({ a: 1, b: { y: 2 } });
    expect(metrics).toEqual([
      { name: "n", type: "counter", value: 3, tags: { t: "1" } },
      { name: "d", type: "timer", value: 500 },
    ]);
    expect(logs).toEqual(["WARN w", "INFO i", "INFO plain {}", "ERROR bad"]);
    expect(r).toMatchObject({ stdoutLines: 1, stderrLines: 1, stderrTail: ["bad"] });
  });

  it("warns about malformed lines and metrics without dropping them", () => {
    const { logs, metrics, reader: r } = reader();
    r.line("::{not json}::", "stdout");
    r.line('::{"metrics":[{"name":"g","type":"gauge","value":1},{"value":2}]}::', "stdout");
    expect(metrics).toEqual([]);
    expect(logs[0]).toMatch(/^WARN Invalid outputs line \(.+\), logged as it was: ::\{not json\}::$/);
    expect(logs.slice(1)).toEqual([
      'WARN Invalid metric (metric type \'gauge\' of \'g\' is not supported (counter, timer)): {"name":"g","type":"gauge","value":1}',
      "WARN Invalid metric (a metric needs a 'name'): {\"value\":2}",
    ]);
  });
});
