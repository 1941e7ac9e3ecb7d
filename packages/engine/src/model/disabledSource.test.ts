/**
 * Setting a flow's `disabled` edits its source as text: only the top-level value changes, or a
 * `disabled: true` line is added where a `Document` put it (after the last entry, before the
 * comments and blank lines ending the document); the rest stays byte for byte. "As before" marks
 * an output equal to the earlier implementation's (a `Document` set and printed again), captured
 * before the change; the others differ from it only where it printed the rest again.
 */
import YAML from "yaml";
import { describe, expect, it } from "vitest";
import { editDisabled, withDisabled } from "./disabledSource.ts";

const TASKS = "tasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n";
const FLOW = `id: x\nnamespace: n\n${TASKS}`;

/** [what, source, disabled, the expected source, whether the earlier implementation gave the same]. */
const CASES: [string, string, boolean, string, boolean][] = [
  ["a plain flow", FLOW, true, `${FLOW}disabled: true\n`, true],
  ["a plain flow enabled (no disabled: unchanged)", FLOW, false, FLOW, true],
  [
    "no trailing line break",
    FLOW.slice(0, -1),
    true,
    `${FLOW}disabled: true\n`, // as before: the line break, then the new line
    true,
  ],
  [
    "disabled: false",
    `id: x\nnamespace: n\ndisabled: false\n${TASKS}`,
    true,
    `id: x\nnamespace: n\ndisabled: true\n${TASKS}`,
    true,
  ],
  [
    "disabled: true",
    `id: x\nnamespace: n\ndisabled: true\n${TASKS}`,
    false,
    `id: x\nnamespace: n\ndisabled: false\n${TASKS}`,
    true,
  ],
  [
    "disabled: true, disabled again (unchanged)",
    `id: x\ndisabled: true\n${TASKS}`,
    true,
    `id: x\ndisabled: true\n${TASKS}`,
    true,
  ],
  [
    "disabled: True, disabled again (kept as written)",
    `id: x\ndisabled: True\n`,
    true,
    `id: x\ndisabled: True\n`,
    true,
  ],
  ["disabled: False", `id: x\ndisabled: False\n`, true, `id: x\ndisabled: true\n`, true],
  ["a double-quoted key", `id: x\n"disabled": false\n${TASKS}`, true, `id: x\n"disabled": true\n${TASKS}`, true],
  ["a single-quoted key", `id: x\n'disabled': true\n`, false, `id: x\n'disabled': false\n`, true],
  [
    "a comment after the value",
    `id: x\ndisabled: false # off for now\n${TASKS}`,
    true,
    `id: x\ndisabled: true # off for now\n${TASKS}`,
    true,
  ],
  [
    "a comment after the value, spaces kept",
    `${FLOW}disabled: true   # off\n`,
    false,
    `${FLOW}disabled: false   # off\n`,
    false, // before: `disabled: false # off`
  ],
  [
    "comments and blank lines at the end",
    `${FLOW}\n# the end\n\n`,
    true,
    `${FLOW}disabled: true\n\n# the end\n\n`,
    false, // before: the last blank line dropped
  ],
  [
    "comments right after the last task",
    `${FLOW}# c1\n# c2\n`,
    true,
    `${FLOW}disabled: true\n# c1\n# c2\n`,
    false, // before: a blank line added before `# c1`
  ],
  [
    "a comment at the end without a line break",
    `${FLOW}# c1`,
    true,
    `${FLOW}disabled: true\n# c1`,
    false, // before: `disabled: true\n\n# c1\n`
  ],
  ["blank lines at the end", `${FLOW}\n\n`, true, `${FLOW}disabled: true\n\n\n`, false], // before: blank lines dropped
  [
    "a comment indented under the last task (stays with it)",
    `${FLOW}    # about the task\n`,
    true,
    `${FLOW}    # about the task\ndisabled: true\n`,
    true,
  ],
  [
    "a nested disabled in a task (not touched)",
    `${FLOW}    disabled: true\n`,
    true,
    `${FLOW}    disabled: true\ndisabled: true\n`,
    true,
  ],
  [
    "a nested disabled in a task, enabled (unchanged)",
    `${FLOW}    disabled: true\n`,
    false,
    `${FLOW}    disabled: true\n`,
    true,
  ],
  [
    "a nested disabled before the top-level one",
    `id: x\n${TASKS}    disabled: true\ndisabled: true\n`,
    false,
    `id: x\n${TASKS}    disabled: true\ndisabled: false\n`,
    true,
  ],
  ["a --- start marker", `---\n${FLOW}`, true, `---\n${FLOW}disabled: true\n`, true],
  ["a comment, then a --- start marker", `# head\n---\n${FLOW}`, true, `# head\n---\n${FLOW}disabled: true\n`, true],
  ["a ... end marker", `---\n${FLOW}...\n`, true, `---\n${FLOW}disabled: true\n...\n`, true],
  ["a ... end marker and a comment", `${FLOW}... # end\n`, true, `${FLOW}disabled: true\n... # end\n`, true],
  [
    "a literal block last",
    `${FLOW}description: |\n  hello\n  world\n`,
    true,
    `${FLOW}description: |\n  hello\n  world\ndisabled: true\n`,
    true,
  ],
  [
    "a kept literal block last (its blank lines are its value)",
    `${FLOW}description: |+\n  hello\n\n`,
    true,
    `${FLOW}description: |+\n  hello\n\ndisabled: true\n`,
    true,
  ],
  [
    "a stripped block last, blank lines after",
    "id: x\nk: |-\n  text\n\n\n",
    true,
    "id: x\nk: |-\n  text\ndisabled: true\n\n\n",
    false, // before: blank lines dropped
  ],
  [
    "a list at its key's indent",
    "id: x\ntasks:\n- id: a\n  type: t\n",
    true,
    "id: x\ntasks:\n- id: a\n  type: t\ndisabled: true\n",
    false, // before: the list indented again
  ],
  [
    "a flow list spanning lines",
    "id: x\nlabels: [\n  a, b\n]\n",
    true,
    "id: x\nlabels: [\n  a, b\n]\ndisabled: true\n",
    false, // before: `labels: [ a, b ]`
  ],
  [
    "a long quoted description",
    `id: x\ndescription: "${"d".repeat(100)}"\n`,
    true,
    `id: x\ndescription: "${"d".repeat(100)}"\ndisabled: true\n`,
    false, // before: folded at 80 columns
  ],
  ["CRLF line breaks", "id: x\r\nnamespace: n\r\n", true, "id: x\r\nnamespace: n\r\ndisabled: true\r\n", false], // before: LF
  ["an indented root", "  id: x\n  namespace: n\n", true, "  id: x\n  namespace: n\n  disabled: true\n", false], // before: unindented
  // Shapes left to a Document, as before.
  [
    "a flow-style root",
    "{id: x, namespace: n, tasks: [{id: a, type: t}]}\n",
    true,
    "{ id: x, namespace: n, tasks: [ { id: a, type: t } ], disabled: true }\n",
    true,
  ],
  ["a flow-style root, enabled", "{id: x, namespace: n}\n", false, "{id: x, namespace: n}\n", true],
  ["a directive", "%YAML 1.2\n---\nid: x\n", true, "%YAML 1.2\n---\nid: x\ndisabled: true\n", true],
  ["an anchored value", "id: x\ndisabled: &d false\n", true, "id: x\ndisabled: &d true\n", true],
  ["a tagged value", "id: x\ndisabled: !!bool false\n", true, "id: x\ndisabled: !!bool true\n", true],
  ["an empty value", "id: x\ndisabled:\nnamespace: n\n", true, "id: x\ndisabled: true\nnamespace: n\n", true],
  [
    "an empty value and a comment",
    "id: x\ndisabled: # c\nnamespace: n\n",
    false,
    "id: x\ndisabled: false # c\nnamespace: n\n",
    true,
  ],
  ["a quoted value", 'id: x\ndisabled: "false"\n', true, "id: x\ndisabled: true\n", true],
  ["an explicit key", "? id\n: x\n", true, "id: x\ndisabled: true\n", true],
  ["an empty source", "", true, "disabled: true\n", true],
];

/** The earlier implementation. */
function throughDocument(source: string, disabled: boolean): string {
  const doc = YAML.parseDocument(source);
  if (!disabled && !doc.has("disabled")) return source;
  doc.set("disabled", disabled);
  return doc.toString();
}

describe("withDisabled", () => {
  it.each(CASES)("%s", (_what, source, disabled, expected, asBefore) => {
    expect(withDisabled(source, disabled)).toBe(expected);
    expect(throughDocument(source, disabled) === expected).toBe(asBefore);
  });

  it("gives the flow of the source with only disabled set, in the same key order", () => {
    for (const [what, source, disabled, expected] of CASES) {
      const before = YAML.parse(source) as Record<string, unknown> | null;
      if (before === null) continue;
      const after = YAML.parseDocument(expected);
      expect(after.errors, what).toEqual([]);
      const value = after.toJS() as Record<string, unknown>;
      const wanted = !disabled && !("disabled" in before) ? before : { ...before, disabled };
      expect(Object.keys(value), what).toEqual(Object.keys(wanted));
      expect(value, what).toEqual(wanted);
    }
  });

  it("edits a 30,000-task flow by adding one line", () => {
    let source = "id: huge\nnamespace: big.flows\ntasks:\n";
    for (let i = 0; i < 30_000; i++)
      source += `  - id: t${i}\n    type: io.kestra.plugin.core.debug.Return\n    description: "${"d".repeat(80)}"\n    format: "{{ task.id }}"\n`;
    const disabled = withDisabled(source, true);
    expect(disabled).toBe(`${source}disabled: true\n`);
    expect(withDisabled(disabled, false)).toBe(`${source}disabled: false\n`);
  });
});

describe("editDisabled", () => {
  it("says when only disabled changed", () => {
    expect(editDisabled(FLOW, true)).toEqual({ source: `${FLOW}disabled: true\n`, only: true });
    expect(editDisabled(`id: "x"\nnamespace: 'a.b'\ndisabled: true # off\n`, false)).toEqual({
      source: `id: "x"\nnamespace: 'a.b'\ndisabled: false # off\n`,
      only: true,
    });
    // The flow's name is not read from the text (the caller knows the revision it edits).
    expect(editDisabled(`id: "\\x41"\nnamespace: n\n${TASKS}`, true).only).toBe(true);
    expect(editDisabled(`id: &i x\nnamespace: n\n${TASKS}`, true).only).toBe(true);
    expect(editDisabled(`id: x\nnamespace: a\n  b\n${TASKS}`, true).only).toBe(true);
    expect(editDisabled(`namespace: n\n${TASKS}`, true).only).toBe(true);
  });

  it("does not when nothing changed, the Document edited it, or the source has a revision", () => {
    expect(editDisabled(FLOW, false)).toEqual({ source: FLOW, only: false });
    expect(editDisabled(`${FLOW}disabled: true\n`, true)).toEqual({ source: `${FLOW}disabled: true\n`, only: false });
    expect(editDisabled("{id: x, namespace: n}\n", true).only).toBe(false);
    expect(editDisabled("id: x\nnamespace: n\ndisabled: &d false\n", true).only).toBe(false);
    // A revision of its own would be replaced by the stored one's.
    expect(editDisabled(`${FLOW}revision: 3\n`, true).only).toBe(false);
  });

  it("leaves several documents to the Document, which refuses them as before", () => {
    for (const source of [`${FLOW}---\n${FLOW}`, `---\n---\n${FLOW}`, `${FLOW}...\n${FLOW}`]) {
      expect(() => editDisabled(source, true)).toThrow();
      expect(() => throughDocument(source, true)).toThrow();
    }
  });

  it("leaves a duplicate top-level disabled to the Document, which refuses it as before", () => {
    const source = "id: x\ndisabled: false\ndisabled: false\n";
    expect(() => editDisabled(source, true)).toThrow("Document with errors cannot be stringified");
    expect(() => throughDocument(source, true)).toThrow("Document with errors cannot be stringified");
  });
});
