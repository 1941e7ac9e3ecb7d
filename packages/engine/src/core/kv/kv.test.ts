import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Execution } from "../../model/execution.ts";
import { errorMessages, openTestInstance, outputsOf, taskRuns, type TestInstance } from "../../testing/testInstance.ts";

let t: TestInstance;
beforeAll(async () => {
  t = await openTestInstance();
});
afterAll(() => t.close());

const out = outputsOf;
const errors = (x: Execution, taskId: string) => errorMessages(t, x, taskId);

describe("kv tasks", () => {
  it("sets typed values, reads, lists and deletes them", async () => {
    const x = await t.run(`id: kv
namespace: company.kv
tasks:
  - id: setList
    type: io.kestra.plugin.core.kv.Set
    key: list
    value: "{{ [1, 2] }}"
  - id: setNumber
    type: io.kestra.plugin.core.kv.Set
    key: number
    value: "42"
    kvType: NUMBER
  - id: setOther
    type: io.kestra.plugin.core.kv.Set
    key: other
    namespace: company.elsewhere
    value: "{{ flow.id }}"
  - id: getList
    type: io.kestra.plugin.core.kv.Get
    key: list
  - id: getNumber
    type: io.kestra.plugin.core.kv.Get
    key: number
  - id: getOther
    type: io.kestra.plugin.core.kv.Get
    key: other
    namespace: company.elsewhere
  - id: fn
    type: io.kestra.plugin.core.debug.Return
    format: "{{ kv('number') + 1 }}"
  - id: keys
    type: io.kestra.plugin.core.kv.GetKeys
  - id: delete
    type: io.kestra.plugin.core.kv.Delete
    key: list
  - id: missing
    type: io.kestra.plugin.core.kv.Get
    key: list
`);
    expect(x.state.current).toBe("SUCCESS");
    expect(out(x, "getList")).toEqual({ value: [1, 2] });
    expect(out(x, "getNumber")).toEqual({ value: 42 });
    expect(out(x, "getOther")).toEqual({ value: "kv" });
    expect(out(x, "fn")).toEqual({ value: "43" });
    expect((out(x, "keys").keys as string[]).sort()).toEqual(["list", "number"]);
    expect(out(x, "delete")).toEqual({ deleted: true });
    expect(out(x, "missing")).toEqual({ value: null });
  });

  it("fails on missing keys when asked, on overwrite: false and on bad types", async () => {
    const x = await t.run(`id: kvbad
namespace: company.kv
tasks:
  - id: seed
    type: io.kestra.plugin.core.kv.Set
    key: seeded
    value: x
  - id: parallel
    type: io.kestra.plugin.core.flow.Parallel
    tasks:
      - id: get
        type: io.kestra.plugin.core.kv.Get
        key: absent
        errorOnMissing: true
      - id: delete
        type: io.kestra.plugin.core.kv.Delete
        key: absent
        errorOnMissing: true
      - id: notNumber
        type: io.kestra.plugin.core.kv.Set
        key: n
        value: abc
        kvType: NUMBER
      - id: noOverwrite
        type: io.kestra.plugin.core.kv.Set
        key: seeded
        value: y
        overwrite: false
`);
    expect(x.state.current).toBe("FAILED");
    expect(errors(x, "get")).toEqual([
      "No value found for key 'absent' in namespace 'company.kv' and `errorOnMissing` is set to true",
    ]);
    expect(errors(x, "delete")).toEqual([
      "No value found for key 'absent' in namespace 'company.kv' and `errorOnMissing` is set to true",
    ]);
    expect(errors(x, "notNumber")).toEqual(["'abc' is not a NUMBER"]);
    expect(taskRuns(x, "noOverwrite")[0]!.state.current).toBe("FAILED");
  });
});
