/**
 * The worker thread that parses large flow YAML (packages/engine/src/model/yamlOffThread.ts), as
 * the server runs it (the compiled module: run `npx tsc -b` first): the same value as parsing in
 * place while the main thread goes on working, the same limits and errors, lines of paths, and
 * a worker that stops fails only its requests; the next one starts a fresh worker.
 */
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { parseYamlSource } from "@saker/engine/testing";
import { setDataLimits } from "../../packages/engine/dist/model/dataLimits.js";
import {
  OFF_THREAD_BYTES,
  parseYamlSourceAsync,
  stopYamlWorker,
} from "../../packages/engine/dist/model/yamlOffThread.js";

const padding = (bytes: number) => `padding: "${"p".repeat(bytes)}"\n`;

function manyTasks(count: number): string {
  let yaml = "id: many\nnamespace: a.b\ntasks:\n";
  for (let i = 0; i < count; i++)
    yaml += `  - id: t${i}\n    type: io.kestra.plugin.core.debug.Return\n    format: "{{ task.id }} ${i}"\n    values: [1, 2.5, true, null, .inf]\n`;
  return yaml;
}

async function failure(promise: Promise<unknown>): Promise<{ code?: string; message: string; line?: number }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { code?: string; message: string; location?: { line?: number } };
    return {
      ...(e.code ? { code: e.code } : {}),
      message: e.message,
      ...(e.location?.line ? { line: e.location.line } : {}),
    };
  }
  throw new Error("parsed without an error");
}

afterEach(() => setDataLimits({}));
afterAll(() => stopYamlWorker());

describe("the YAML worker", () => {
  it("gives the value parsing in place gives, while the main thread goes on working", async () => {
    const source = manyTasks(20_000);
    expect(source.length).toBeGreaterThan(20 * OFF_THREAD_BYTES);
    let ran = 0;
    let running = true;
    const other = () => {
      ran++;
      if (running) setImmediate(other);
    };
    setImmediate(other);
    const parsed = await parseYamlSourceAsync(source, "flow");
    running = false;
    expect(ran).toBeGreaterThan(1);
    expect(parsed.value).toEqual(parseYamlSource(source, "flow").value);
    expect((parsed.value as { tasks: unknown[] }).tasks).toHaveLength(20_000);
    expect(
      await parsed.locate([
        ["tasks", 19_999, "format"],
        ["tasks", 3],
        ["nothing", "here"],
      ]),
    ).toEqual([
      { line: 4 + 19_999 * 4 + 2, column: 13 },
      { line: 4 + 3 * 4, column: 5 },
      { line: 1, column: 1 },
    ]);
  }, 60_000);

  it("applies the data limits and names them", async () => {
    const big = padding(OFF_THREAD_BYTES);
    expect(await failure(parseYamlSourceAsync(`${big}a:\n  __proto__:\n    polluted: true\n`, "flow"))).toMatchObject({
      code: "DATA_KEY_FORBIDDEN",
      message: expect.stringContaining("a.__proto__"),
    });
    const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 6; i++)
      laughs.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(",")}]`,
      );
    expect(await failure(parseYamlSourceAsync(`${big}${laughs.join("\n")}\n`, "flow"))).toMatchObject({
      code: "DATA_LIMIT_EXCEEDED",
      message: expect.stringContaining("maxAliases"),
    });
    expect(
      await failure(parseYamlSourceAsync(`${big}x: ${"[".repeat(300)}${"]".repeat(300)}\n`, "flow")),
    ).toMatchObject({ code: "DATA_LIMIT_EXCEEDED", message: expect.stringContaining("maxDepth") });
    const broken = `${big}tasks:\n  - id: x\n    type: [unclosed\n`;
    const inPlace = await failure((async () => parseYamlSource(broken, "flow"))());
    expect(inPlace).toMatchObject({ code: "YAML_INVALID", line: expect.any(Number) });
    expect(await failure(parseYamlSourceAsync(broken, "flow"))).toEqual(inPlace);
    setDataLimits({ maxDepth: 8 });
    expect(await failure(parseYamlSourceAsync(`${big}x: [[[[[[[[[[1]]]]]]]]]]\n`, "flow"))).toMatchObject({
      code: "DATA_LIMIT_EXCEEDED",
      message: expect.stringContaining("maxDepth = 8"),
    });
  }, 60_000);

  it("fails the requests of a worker that stops, and starts a fresh one for the next", async () => {
    const source = manyTasks(5_000);
    const pending = parseYamlSourceAsync(source, "flow 'a.b/many'");
    await new Promise((r) => setTimeout(r, 20));
    await stopYamlWorker();
    expect(await failure(pending)).toMatchObject({
      code: "YAML_PARSER_STOPPED",
      message: expect.stringContaining("flow 'a.b/many'"),
    });
    expect(((await parseYamlSourceAsync(source, "flow")).value as { tasks: unknown[] }).tasks).toHaveLength(5_000);
  }, 60_000);
});
