import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorMessages, openTestInstance, outputsOf, type TestInstance } from "../../testing/testInstance.ts";

let t: TestInstance;

/** A flow writing a file and returning it as its FILE output `result`. */
const writer = (namespace: string, content = "written by {{ flow.id }}") => `id: writer
namespace: ${namespace}
outputs:
  - id: result
    type: FILE
    value: "{{ outputs.write.uri }}"
tasks:
  - id: write
    type: io.kestra.plugin.core.storage.Write
    content: "${content}"
    extension: .txt
`;

/** A Subflow task (`tasks:` indentation) starting `namespace`/`flowId` and waiting for it. */
const subflow = (id: string, namespace: string, flowId: string) =>
  `  - id: ${id}\n    type: io.kestra.plugin.core.flow.Subflow\n    namespace: ${namespace}\n    flowId: ${flowId}\n`;

beforeAll(async () => {
  t = await openTestInstance();
  await t.instance.deploy(writer("files.child"));
});
afterAll(async () => {
  await t.close();
});

describe("files of the executions a flow started", () => {
  it("a parent reads the file its Subflow returned, in an expression and through a task's storage", async () => {
    const x = await t.run(`id: reader
namespace: files.parent
tasks:
${subflow("sub", "files.child", "writer")}  - id: content
    type: io.kestra.plugin.core.debug.Return
    format: "{{ read(outputs.sub.outputs.result) }} ({{ fileSize(outputs.sub.outputs.result) }} bytes)"
  - id: size
    type: io.kestra.plugin.core.storage.Size
    uri: "{{ outputs.sub.outputs.result }}"
`);
    expect(errorMessages(t, x, "content")).toEqual([]);
    expect(x.state.current).toBe("SUCCESS");
    expect(outputsOf(x, "content").value).toBe("written by writer (17 bytes)");
    expect(outputsOf(x, "size").size).toBe(17);
  });

  it("a file passed up from a subflow's own subflow is read two generations up, even under an `executions` namespace", async () => {
    await t.instance.deploy(writer("files.executions.deep", "deep"));
    await t.instance.deploy(`id: middle
namespace: files.child
outputs:
  - id: result
    type: FILE
    value: "{{ outputs.sub.outputs.result }}"
tasks:
${subflow("sub", "files.executions.deep", "writer")}`);
    const x = await t.run(`id: top
namespace: files.parent
tasks:
${subflow("sub", "files.child", "middle")}  - id: content
    type: io.kestra.plugin.core.debug.Return
    format: "{{ read(outputs.sub.outputs.result) }}"
`);
    expect(errorMessages(t, x, "content")).toEqual([]);
    expect(outputsOf(x, "content").value).toBe("deep");
  });

  it("a sibling subflow may not read the file another subflow of the same parent wrote", async () => {
    await t.instance.deploy(`id: sibling
namespace: files.child
inputs:
  - id: uri
    type: STRING
tasks:
  - id: content
    type: io.kestra.plugin.core.debug.Return
    format: "{{ read(inputs.uri) }}"
`);
    const x = await t.run(`id: two_children
namespace: files.parent
tasks:
${subflow("first", "files.child", "writer")}${subflow("second", "files.child", "sibling")}    inputs:
      uri: "{{ outputs.first.outputs.result }}"
`);
    expect(x.state.current).toBe("FAILED");
    const child = await t.instance.getExecution(String(outputsOf(x, "second").executionId));
    expect(child.state.current).toBe("FAILED");
    expect(errorMessages(t, child, "content").join("\n")).toContain("Unable to read");
  });

  it("an execution that did not start the one that wrote a file may not read it", async () => {
    const child = await t.run(writer("files.child"));
    const uri = String(outputsOf(child, "write").uri);
    const x = await t.run(
      `id: stranger
namespace: files.child
inputs:
  - id: uri
    type: STRING
tasks:
  - id: content
    type: io.kestra.plugin.core.debug.Return
    format: "{{ read(inputs.uri) }}"
    allowFailure: true
  - id: size
    type: io.kestra.plugin.core.storage.Size
    uri: "{{ inputs.uri }}"
    allowFailure: true
`,
      { uri },
    );
    for (const task of ["content", "size"])
      expect(errorMessages(t, x, task).join("\n")).toContain(
        `Unable to read '${uri}': only files of this execution, of the executions it started and namespace files can be read`,
      );
  });
});
