/**
 * The bundled transform plugin through the real CLI (built packages), on a fresh data folder with
 * no install: a log file is parsed with grok, its records reshaped with JSONata, and a value
 * transformed, then read back.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { executionOf, runCli } from "./cli.ts";

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "saker-transform-it-"));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const FLOW = `id: bundled_transform
namespace: company.team
tasks:
  - id: write
    type: io.kestra.plugin.core.storage.Write
    extension: .log
    content: |
      2024-05-01T10:00:00Z INFO started in 120 ms
      not a log line
      2024-05-01T10:00:05Z ERROR disk full
  - id: grok
    type: io.kestra.plugin.transform.grok.TransformItems
    from: "{{ outputs.write.uri }}"
    pattern: "%{TIMESTAMP_ISO8601:at} %{LOGLEVEL:level} %{GREEDYDATA:message}"
  - id: jsonata
    type: io.kestra.plugin.transform.jsonata.TransformItems
    from: "{{ outputs.grok.uri }}"
    expression: 'level & ": " & message'
  - id: line
    type: io.kestra.plugin.transform.grok.TransformValue
    from: "took 42 ms"
    pattern: "took %{INT:ms:int} ms"
  - id: value
    type: io.kestra.plugin.transform.jsonata.TransformValue
    from: '{"ms": {{ outputs.line.value.ms }}}'
    expression: "ms * 2"
  - id: read
    type: io.kestra.plugin.core.debug.Return
    format: "{{ read(outputs.jsonata.uri) }}"
`;

it("a flow using io.kestra.plugin.transform.* runs with no plugins install", async () => {
  const file = join(work, "transform.yaml");
  writeFileSync(file, FLOW);
  const result = await runCli(["flow", "run", file, "--json"], { home: join(work, "home") });
  const execution = executionOf(result);
  expect(execution.state.current, result.stderr).toBe("SUCCESS");
  const run = (id: string) => execution.taskRunList.find((t: { taskId: string }) => t.taskId === id);
  expect(run("grok").outputs.processedItemsTotal).toBe(2);
  expect(run("read").outputs.value).toBe('"INFO: started in 120 ms"\n"ERROR: disk full"\n');
  expect(run("line").outputs.value).toEqual({ ms: 42 });
  expect(run("value").outputs.value).toBe(84);
  expect(run("jsonata").pluginVersion).toBe("@saker/plugin-transform@1.0.0");
});
