/**
 * A flow in Kestra 1.x syntax through the real `saker flow run`: FORM inputs given as dotted
 * `--input`s, an optional input with a `prefill` left empty, task `assets`, `flow.tenantId`; and
 * the clear refusals of bad forms.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { executionOf, runCli } from "./cli.ts";

const dir = mkdtempSync(join(tmpdir(), "saker-kestra1-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FLOW = `id: kestra1
namespace: company.team
inputs:
  - id: note
    type: STRING
    required: false
    prefill: a suggestion
  - id: env
    type: FORM
    inputs:
      - id: region
        type: SELECT
        values: [eu, us]
        isRadio: true
      - id: size
        type: INT
        defaults: 2
tasks:
  - id: show
    type: io.kestra.plugin.core.debug.Return
    format: "{{ inputs.note ?? 'none' }} {{ inputs.env.region }}-{{ inputs.env.size }} {{ flow.tenantId }}"
    assets:
      outputs:
        - id: "report_{{ inputs.env.region }}"
          type: io.kestra.plugin.ee.assets.Table
`;

describe("saker flow run with Kestra 1.x syntax", () => {
  it("runs it: dotted FORM inputs, prefill never applied, assets on the task run", async () => {
    const file = join(dir, "kestra1.yaml");
    writeFileSync(file, FLOW);
    const result = await runCli(["flow", "run", file, "--json", "-q", "--input", "env.region=us"], {
      home: join(dir, "home1"),
    });
    expect(result.code, result.stderr).toBe(0);
    const x = executionOf(result);
    expect(x.inputs).toEqual({ note: null, env: { region: "us", size: 2 } });
    expect(x.taskRunList[0].outputs.value).toBe("none us-2 main");
    expect(x.taskRunList[0].assets.outputs[0]).toMatchObject({
      id: "report_us",
      type: "io.kestra.plugin.ee.assets.Table",
    });
  });

  it("refuses a value outside the FORM's SELECT, and a prefill given with defaults, naming the input", async () => {
    const file = join(dir, "kestra1.yaml");
    writeFileSync(file, FLOW);
    const bad = await runCli(["flow", "run", file, "-q", "--input", "env.region=mars"], { home: join(dir, "home2") });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain(
      "Invalid input for `env.region`, it must match the values `[eu, us]`, but received `mars`",
    );
    const both = join(dir, "both.yaml");
    writeFileSync(both, FLOW.replace("    prefill: a suggestion", "    prefill: a suggestion\n    defaults: x"));
    const refused = await runCli(["flow", "run", both, "-q"], { home: join(dir, "home3") });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/inputs\[0\]\.prefill.*an input with a default value cannot also have a prefill/);
  });
});
