/** Kestra 1.x input properties on real flows: prefill, FORM, SELECT expressions, FILE extensions, nsfile:// values. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isSakerError } from "@saker/sdk";
import { namespaceFilesPrefix } from "../storage/paths.ts";
import { openTestInstance, outputsOf, type TestInstance } from "../testing/testInstance.ts";

let t: TestInstance;
beforeAll(async () => {
  t = await openTestInstance({ env: { SECRET_DEFAULT_TOKEN: Buffer.from("tok-123").toString("base64") } });
  await t.instance.storage.put(`${namespaceFilesPrefix("company.team")}/data/in.csv`, Buffer.from("a,b\n1,2\n"));
  await t.instance.storage.put(`${namespaceFilesPrefix("company.team")}/data/notes.txt`, Buffer.from("notes"));
  await t.instance.storage.put(`${namespaceFilesPrefix("other")}/secret.csv`, Buffer.from("no"));
});
afterAll(() => t.close());

/** The error of `run`, which must fail with a SakerError. */
async function failure(run: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await run;
  } catch (error) {
    if (isSakerError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error("expected a failure");
}

const returning = (format: string) => `tasks:
  - id: r
    type: io.kestra.plugin.core.debug.Return
    format: "${format}"
`;

describe("prefill", () => {
  const flow = `id: prefill
namespace: company.team
inputs:
  - id: note
    type: STRING
    prefill: a suggestion the user may clear
    required: false
  - id: count
    type: INT
    prefill: 3
${returning("{{ inputs.note ?? 'none' }}/{{ inputs.count }}")}`;

  it("is only a suggestion for forms: a value that is not given stays missing", async () => {
    const x = await t.run(flow, { count: 5 });
    expect(x.state.current).toBe("SUCCESS");
    expect(x.inputs).toEqual({ note: null, count: 5 });
    expect(outputsOf(x, "r").value).toBe("none/5");
    const given = await t.run(flow, { note: "mine", count: "7" });
    expect(outputsOf(given, "r").value).toBe("mine/7");
  });

  it("does not satisfy a required input", async () => {
    const { flow: deployed } = await t.instance.deploy(flow);
    const error = await failure(t.instance.createExecution(deployed.namespace, deployed.id, { inputs: {} }));
    expect(error.code).toBe("INPUT_INVALID");
    expect(error.message).toContain("Invalid input for `count`, missing required input");
  });

  it("cannot be given with defaults; the deprecated optional input with defaults stays accepted", async () => {
    const error = await failure(
      Promise.resolve().then(() =>
        t.instance.flows.deploy(`id: both
namespace: company.team
inputs:
  - id: x
    type: STRING
    defaults: a
    prefill: b
${returning("x")}`),
      ),
    );
    expect(error.message).toMatch(/inputs\[0\]\.prefill.*cannot also have a prefill/s);
    const x = await t.run(`id: legacy
namespace: company.team
inputs:
  - id: x
    type: STRING
    defaults: a
    required: false
${returning("{{ inputs.x }}")}`);
    expect(outputsOf(x, "r").value).toBe("a");
  });
});

describe("FORM inputs", () => {
  const flow = `id: form
namespace: company.team
inputs:
  - id: environment
    type: FORM
    displayName: Environment
    inputs:
      - id: region
        type: SELECT
        values: [eu, us]
      - id: size
        type: INT
        defaults: 2
      - id: zone
        type: STRING
        required: false
        dependsOn:
          inputs: [environment.region]
          condition: "{{ inputs.environment.region == 'eu' }}"
${returning("{{ inputs.environment.region }}-{{ inputs.environment.size }}-{{ inputs.environment.zone ?? 'any' }}")}`;

  it("groups inputs under the form's id, given by dotted id or as a map", async () => {
    const dotted = await t.run(flow, { "environment.region": "eu", "environment.zone": "b" });
    expect(dotted.inputs).toEqual({ environment: { region: "eu", size: 2, zone: "b" } });
    expect(outputsOf(dotted, "r").value).toBe("eu-2-b");
    const nested = await t.run(flow, { environment: { region: "us", size: 4, zone: "ignored" } });
    expect(outputsOf(nested, "r").value).toBe("us-4-any");
  });

  it("keeps a SECRET inside a FORM encrypted at rest and gives tasks its value", async () => {
    const x = await t.run(
      `id: formsecret
namespace: company.team
inputs:
  - id: creds
    type: FORM
    inputs:
      - id: user
        type: STRING
      - id: token
        type: SECRET
${returning("{{ inputs.creds.user }}:{{ inputs.creds.token | length }}")}  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "token {{ inputs.creds.token }}"
`,
      { "creds.user": "ada", "creds.token": "s3cr3t-t0ken" },
    );
    expect(x.state.current).toBe("SUCCESS");
    expect(outputsOf(x, "r").value).toBe("ada:12");
    expect(JSON.stringify((await t.instance.getExecution(x.id)).inputs)).not.toContain("s3cr3t-t0ken");
    const logs = t.instance.logs.find({ executionId: x.id }).map((l) => l.message);
    expect(logs).toContain("token **masked****");
    expect(logs.join("\n")).not.toContain("s3cr3t-t0ken");
  });

  it("checks the grouped inputs", async () => {
    const { flow: deployed } = await t.instance.deploy(flow);
    const error = await failure(
      t.instance.createExecution(deployed.namespace, deployed.id, { inputs: { "environment.region": "mars" } }),
    );
    expect(error.message).toContain("Invalid input for `environment.region`, it must match the values `[eu, us]`");
  });

  it("refuses a nested FORM, a FORM with a default and a dependency on a bare sibling id", async () => {
    const error = await failure(
      Promise.resolve().then(() =>
        t.instance.flows.deploy(`id: badform
namespace: company.team
inputs:
  - id: outer
    type: FORM
    defaults: x
    inputs:
      - id: inner
        type: FORM
        inputs:
          - id: a
            type: STRING
      - id: b
        type: STRING
        dependsOn:
          inputs: [c]
      - id: c
        type: STRING
${returning("x")}`),
      ),
    );
    expect(error.message).toContain("a FORM input groups other inputs and cannot have a default value or a prefill");
    expect(error.message).toContain("a FORM input cannot contain another FORM input");
    expect(error.message).toContain("depends on unknown input 'c'");
  });
});

describe("SELECT and MULTISELECT choices", () => {
  it("takes the values from `expression`, rendered with the inputs it depends on", async () => {
    const flow = `id: selectexpr
namespace: company.team
inputs:
  - id: cloud
    type: SELECT
    values: [aws, gcp]
  - id: region
    type: SELECT
    isRadio: true
    autoSelectFirst: true
    expression: "{{ inputs.cloud == 'aws' ? ['us-east-1', 'eu-west-1'] : ['europe-west1'] }}"
    dependsOn:
      inputs: [cloud]
  - id: tags
    type: MULTISELECT
    expression: "[\\"a\\", \\"b\\"]"
    required: false
${returning("{{ inputs.region }}")}`;
    const x = await t.run(flow, { cloud: "aws", region: "eu-west-1", tags: ["b"] });
    expect(x.state.current).toBe("SUCCESS");
    expect(x.inputs).toMatchObject({ region: "eu-west-1", tags: ["b"] });
    const { flow: deployed } = await t.instance.deploy(flow);
    const error = await failure(
      t.instance.createExecution(deployed.namespace, deployed.id, {
        inputs: { cloud: "gcp", region: "eu-west-1", tags: ["c"] },
      }),
    );
    expect(error.message).toContain("Invalid input for `region`, it must match the values `[europe-west1]`");
    expect(error.message).toContain("Invalid input for `tags`, it must match the values `[a, b]`");
  });

  it("accepts a custom value with allowCustomValue and with the deprecated allowInput", async () => {
    const x = await t.run(
      `id: custom
namespace: company.team
inputs:
  - id: a
    type: SELECT
    values: [x]
    allowCustomValue: true
  - id: b
    type: SELECT
    values: [x]
    allowInput: true
${returning("{{ inputs.a }}{{ inputs.b }}")}`,
      { a: "y", b: "z" },
    );
    expect(outputsOf(x, "r").value).toBe("yz");
  });

  it("refuses a SELECT without values or expression, and an expression that is not a list", async () => {
    const error = await failure(
      Promise.resolve().then(() =>
        t.instance.flows.deploy(`id: novalues
namespace: company.team
inputs:
  - id: a
    type: SELECT
${returning("x")}`),
      ),
    );
    expect(error.message).toContain("a SELECT input needs `values` or `expression`");
    const { flow } = await t.instance.deploy(`id: notalist
namespace: company.team
inputs:
  - id: a
    type: SELECT
    expression: "{{ 'abc' }}"
${returning("x")}`);
    const bad = await failure(t.instance.createExecution(flow.namespace, flow.id, { inputs: { a: "abc" } }));
    expect(bad.message).toContain("Invalid input for `a`, its expression must render a list of values, not `abc`");
  });
});

describe("FILE inputs from namespace files", () => {
  const flow = `id: nsinput
namespace: company.team
inputs:
  - id: data
    type: FILE
    defaults: nsfile:///data/in.csv
    allowedFileExtensions: [".csv"]
${returning("{{ read(inputs.data) }}")}`;

  it("reads the flow's namespace file named by nsfile:///path or nsfile://namespace/path", async () => {
    const x = await t.run(flow);
    expect(x.state.current).toBe("SUCCESS");
    expect(x.inputs?.data).toBe("kestra:///company/team/_files/data/in.csv");
    expect(outputsOf(x, "r").value).toBe("a,b\n1,2\n");
    const named = await t.run(flow, { data: "nsfile://company.team/data/in.csv" });
    expect(outputsOf(named, "r").value).toBe("a,b\n1,2\n");
  });

  it.each([
    ["another namespace's file", "nsfile://other/secret.csv", "may only name namespace files of 'company.team'"],
    ["a path leaving the namespace", "nsfile:///../../other/_files/secret.csv", "leaves its folder"],
    ["an encoded traversal", "nsfile:///%2e%2e/%2e%2e/other/_files/secret.csv", "is not a valid storage URI"],
    ["a missing file", "nsfile:///data/missing.csv", "Unable to find file"],
    [
      "an extension that is not allowed",
      "nsfile:///data/notes.txt",
      "the file type is not allowed, accepted extensions: .csv",
    ],
  ])("refuses %s", async (_what, uri, expected) => {
    const { flow: deployed } = await t.instance.deploy(flow);
    const error = await failure(t.instance.createExecution(deployed.namespace, deployed.id, { inputs: { data: uri } }));
    expect(error.code).toBe("INPUT_INVALID");
    expect(error.message).toMatch(new RegExp(`^Invalid input for \`data\`, .*(${expected})`));
  });
});

describe("flow variables", () => {
  it("flow.tenantId is the instance's tenant, main by default as in Kestra's open-source edition", async () => {
    const x = await t.run(`id: tenant
namespace: company.team
${returning("{{ flow.tenantId }}/{{ flow.namespace }}")}`);
    expect(outputsOf(x, "r").value).toBe("main/company.team");
  });
});

describe("defaults with expressions (Kestra 0.24+ renders them)", () => {
  const flow = `id: dynamic_defaults
namespace: company.team
inputs:
  - id: label
    type: STRING
    defaults: "{{ flow.id }}-{{ now() | date('yyyy') }}"
  - id: day
    type: DATE
    defaults: "{{ now() | date('yyyy-MM-dd') }}"
  - id: env
    type: SELECT
    values: [DEV, PROD]
    defaults: DEV
  - id: backup
    type: BOOL
    defaults: "{{ inputs.env == 'PROD' }}"
    dependsOn:
      inputs: [env]
  - id: literal
    type: STRING
    required: false
${returning("{{ inputs.label }}|{{ inputs.day }}|{{ inputs.env }}|{{ inputs.backup }}|{{ inputs.literal }}")}`;

  it("renders a default with the flow, functions and the inputs it depends on; a given value is kept as given", async () => {
    const x = await t.run(flow, {});
    const year = x.state.startDate.slice(0, 4);
    expect(x.state.current).toBe("SUCCESS");
    expect(x.inputs).toMatchObject({ label: `dynamic_defaults-${year}`, env: "DEV", backup: false });
    expect(String(x.inputs?.day)).toMatch(new RegExp(`^${year}-\\d\\d-\\d\\d$`));
    const prod = await t.run(flow, { env: "PROD", literal: "{{ flow.id }}" });
    expect(prod.inputs).toMatchObject({ backup: true, literal: "{{ flow.id }}" });
    expect(outputsOf(prod, "r").value).toMatch(/\|PROD\|true\|\{\{ flow\.id \}\}$/);
  });

  it("reads the KV store and secrets, as a task's expression does", async () => {
    t.instance.kv.set(t.instance.config.tenantId, "company.team", {
      key: "region",
      value: "eu-west-1",
      type: "STRING",
      updateDate: new Date().toISOString(),
    });
    const x = await t.run(
      `id: services_defaults
namespace: company.team
inputs:
  - id: region
    type: STRING
    defaults: "{{ kv('region') }}"
  - id: token
    type: STRING
    defaults: "{{ secret('DEFAULT_TOKEN') }}"
${returning("{{ inputs.region }}/{{ inputs.token | length }}")}`,
      {},
    );
    expect(x.state.current).toBe("SUCCESS");
    expect(outputsOf(x, "r").value).toBe("eu-west-1/7");
  });

  it("a default whose expression fails refuses the execution, naming the input", async () => {
    const { flow: deployed } = await t.instance.deploy(`id: broken_default
namespace: company.team
inputs:
  - id: n
    type: INT
    defaults: "{{ nope( }}"
${returning("{{ inputs.n }}")}`);
    const error = await failure(t.instance.createExecution(deployed.namespace, deployed.id, { inputs: {} }));
    expect(error.code).toBe("INPUT_INVALID");
    expect(error.message).toContain("Invalid input for `n`, Invalid defaults:");
    // given, the input needs no default
    expect(
      (
        await t.run(
          `id: broken_default\nnamespace: company.team\ninputs:\n  - id: n\n    type: INT\n    defaults: "{{ nope( }}"\n${returning("{{ inputs.n }}")}`,
          { n: 4 },
        )
      ).state.current,
    ).toBe("SUCCESS");
  });
});
