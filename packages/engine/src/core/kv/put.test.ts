import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorMessages, openTestInstance, outputsOf, taskRun, type TestInstance } from "../../testing/testInstance.ts";

let t: TestInstance;
beforeAll(async () => {
  t = await openTestInstance();
});
afterAll(() => t.close());

describe("kv.Put", () => {
  it("replaces, deep-merges maps, patches JSON fields by dotted keys and keeps the expiration", async () => {
    const x = await t.run(`id: kv_put
namespace: company.put
tasks:
  - id: seed
    type: io.kestra.plugin.core.kv.Set
    key: doc
    value: '{{ {"a": 1, "nested": {"x": 1, "y": 2}} }}'
    ttl: PT1H
  - id: merge
    type: io.kestra.plugin.core.kv.Put
    key: doc
    value:
      nested:
        y: 3
      b: two
  - id: patch
    type: io.kestra.plugin.core.kv.Put
    key: doc
    value:
      - key: nested.z
        value: 123
      - key: c
        value: "{{ 'see' }}"
  - id: text
    type: io.kestra.plugin.core.kv.Put
    key: text
    value: new-value
  - id: replace
    type: io.kestra.plugin.core.kv.Put
    key: text
    value:
      - value: [1, 2]
  - id: get
    type: io.kestra.plugin.core.kv.Get
    key: doc
  - id: getText
    type: io.kestra.plugin.core.kv.Get
    key: text
`);
    expect(x.state.current).toBe("SUCCESS");
    expect(outputsOf(x, "get")).toEqual({ value: { a: 1, b: "two", c: "see", nested: { x: 1, y: 3, z: 123 } } });
    expect(outputsOf(x, "getText")).toEqual({ value: [1, 2] });
    const entry = t.instance.kv.get(t.instance.config.tenantId, "company.put", "doc");
    expect(entry?.expirationDate).toBeDefined();
    expect(Date.parse(entry!.expirationDate!)).toBeGreaterThan(Date.now() + 50 * 60_000);
  });

  it("fails on a missing key with errorOnMissing and on bad entry lists", async () => {
    const x = await t.run(`id: kv_put_bad
namespace: company.put
tasks:
  - id: seed
    type: io.kestra.plugin.core.kv.Set
    key: plain
    value: text
  - id: parallel
    type: io.kestra.plugin.core.flow.Parallel
    tasks:
      - id: missing
        type: io.kestra.plugin.core.kv.Put
        key: absent
        errorOnMissing: true
        value: x
      - id: mixed
        type: io.kestra.plugin.core.kv.Put
        key: mixed
        value:
          - key: a
            value: 1
          - value: 2
      - id: onText
        type: io.kestra.plugin.core.kv.Put
        key: plain
        value:
          - key: a
            value: 1
      - id: created
        type: io.kestra.plugin.core.kv.Put
        key: fresh
        value:
          - key: a.b
            value: 1
  - id: never
    type: io.kestra.plugin.core.debug.Return
    format: never
`);
    expect(x.state.current).toBe("FAILED");
    expect(errorMessages(t, x, "missing")).toEqual([
      "No value found for key 'absent' in namespace 'company.put' and `errorOnMissing` is set to true",
    ]);
    expect(errorMessages(t, x, "mixed")).toEqual(["Cannot mix keyed and non-keyed entries in `value`."]);
    expect(errorMessages(t, x, "onText")).toEqual([
      "Cannot apply keyed `value` updates to a non-JSON existing KV value.",
    ]);
    expect(taskRun(x, "created").state.current).toBe("SUCCESS");
    expect(t.instance.kv.get(t.instance.config.tenantId, "company.put", "fresh")?.value).toEqual({ a: { b: 1 } });
  });

  it("refuses a flow without key, naming the flow and the YAML path", () => {
    expect(() =>
      t.instance.flows.deploy(`id: kv_put_invalid
namespace: company.put
tasks:
  - id: put
    type: io.kestra.plugin.core.kv.Put
    value: x
`),
    ).toThrow(/Flow 'company.put\/kv_put_invalid' is invalid: tasks\[0\]\.key/);
  });
});
