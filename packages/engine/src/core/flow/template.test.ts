import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestInstance, type TestInstance } from "../../testing/testInstance.ts";

let t: TestInstance;
beforeAll(async () => {
  t = await openTestInstance();
});
afterAll(() => t.close());

describe("flow.Template", () => {
  it.each(["io.kestra.plugin.core.flow.Template", "io.kestra.core.tasks.flows.Template"])(
    "refuses %s with a clear message at its YAML path",
    (type) => {
      expect(() =>
        t.instance.flows.deploy(`id: with_template
namespace: company.team
tasks:
  - id: first
    type: io.kestra.plugin.core.debug.Return
    format: x
  - id: template
    type: ${type}
    namespace: company.team
    templateId: shared
`),
      ).toThrow(
        "Flow 'company.team/with_template' is invalid: tasks[1]: templates are not supported (deprecated since Kestra 0.11 and disabled by default): use a Subflow",
      );
    },
  );
});
