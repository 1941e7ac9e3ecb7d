/**
 * Bad input gets a clear 4xx naming the limit or the input, never a 500: YAML alias bombs,
 * merge-key chains, 10,000-level nesting in YAML and JSON, recursive aliases, keys reaching a
 * prototype, impossible dates. Each runs against a real server over HTTP, which must stay up.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json, postYaml, startTestApi, type TestApi } from "../../packages/server/src/__tests__/testApi.ts";
import { runCli } from "../integration/cli.ts";

let t: TestApi;
beforeAll(async () => {
  t = await startTestApi();
});
afterAll(async () => t?.close());

const LAUGHS = `id: laughs
namespace: sec.yaml
variables:
  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
  b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
  c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
  d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
  e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
  f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
  g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: hi
`;

function mergeChain(levels: number): string {
  let vars = "  m0: &m0 {x: 1, y: 2}\n";
  for (let i = 1; i < levels; i++) vars += `  m${i}: &m${i}\n    <<: [*m${i - 1}, *m${i - 1}]\n    k${i}: ${i}\n`;
  return `id: merges\nnamespace: sec.yaml\nvariables:\n${vars}tasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n`;
}

const DEEP_FLOW = `id: deep\nnamespace: sec.yaml\nvariables:\n  v: ${"[".repeat(10_000)}${"]".repeat(10_000)}\ntasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n`;

async function expectServerUp(): Promise<void> {
  expect((await fetch(`${t.url}/health`)).status).toBe(200);
}

async function expectClientError(
  response: Response,
  status: number,
  message: RegExp,
): Promise<Record<string, unknown>> {
  const body = await json(response);
  expect(response.status, JSON.stringify(body).slice(0, 300)).toBe(status);
  expect(body.message).toMatch(message);
  return body;
}

describe("flow YAML within the data limits", () => {
  beforeAll(async () => {
    const existing =
      "id: existing\nnamespace: sec.yaml\ntasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n";
    expect((await postYaml(`${t.api}/flows`, existing)).status).toBe(200);
  });

  it.each([
    ["a billion-laughs alias bomb", LAUGHS, /limit maxAliases = 100/],
    ["a merge-key chain", mergeChain(40), /limit maxAliases = 100/],
    ["10,000 levels of nesting", DEEP_FLOW, /limit maxDepth = 200/],
  ])("refuses %s with a 400 naming the limit: create, validate, bulk import", async (_, yaml, message) => {
    await expectClientError(await postYaml(`${t.api}/flows`, yaml), 400, message);
    await expectClientError(await postYaml(`${t.api}/flows/validate`, yaml), 400, message);
    await expectClientError(await postYaml(`${t.api}/flows/bulk`, yaml), 400, message);
    await expectClientError(
      await postYaml(`${t.api}/flows/sec.yaml/existing`, yaml.replace(/^id: \w+/, "id: existing"), "PUT"),
      400,
      message,
    );
    await expectServerUp();
  });

  it("the CLI refuses an alias bomb naming the limit, and follows limits.maxAliases", async () => {
    const dir = mkdtempSync(join(tmpdir(), "saker-limits-"));
    try {
      const file = join(dir, "laughs.yml");
      writeFileSync(file, LAUGHS.replace(/ {2}[efg]: .*\n/g, ""));
      const refused = await runCli(["flow", "validate", file], { home: join(dir, "home") });
      expect(refused.code).toBe(1);
      expect(refused.stdout + refused.stderr).toMatch(/too many alias expansions \(limit maxAliases = 100\)/);
      const allowed = await runCli(["flow", "validate", file], {
        home: join(dir, "home"),
        env: { SAKER_LIMITS_MAXALIASES: "100000" },
      });
      expect(allowed.code, allowed.stdout + allowed.stderr).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses a top-level __proto__ key, naming its path, and stores nothing", async () => {
    const yaml =
      "id: proto\nnamespace: sec.yaml\n__proto__:\n  disabled: true\n  labels: {owner: attacker}\ntasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n";
    const body = await expectClientError(
      await postYaml(`${t.api}/flows`, yaml),
      400,
      /the key '__proto__' at __proto__ is not allowed/,
    );
    expect(body.code).toBe("DATA_KEY_FORBIDDEN");
    expect((await fetch(`${t.api}/flows/sec.yaml/proto`)).status).toBe(404);
    await expectServerUp();
  });
});

describe("JSON request bodies within the data limits", () => {
  it("refuses 10,000 levels of nesting with a 400 naming the limit", async () => {
    const deep = `${"[".repeat(10_000)}${"]".repeat(10_000)}`;
    const headers = { "Content-Type": "application/json" };
    await expectClientError(
      await fetch(`${t.api}/namespaces/sec.kv/kv/deep`, { method: "PUT", headers, body: deep }),
      400,
      /limit maxDepth = 200/,
    );
    await expectClientError(
      await fetch(`${t.api}/executions/search`, { method: "POST", headers, body: deep }),
      400,
      /limit maxDepth = 200/,
    );
    expect((await fetch(`${t.api}/namespaces/sec.kv/kv/deep`)).status).toBe(404);
    await expectServerUp();
  });

  it("refuses a __proto__ key in a KV value", async () => {
    const response = await fetch(`${t.api}/namespaces/sec.kv/kv/proto`, {
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      body: '{"a": {"__proto__": {"admin": true}}}',
    });
    await expectClientError(response, 400, /the key '__proto__' at a.__proto__ is not allowed/);
    await expectServerUp();
  });
});

describe("typed inputs", () => {
  const FLOW = `id: typed
namespace: sec.inputs
inputs:
  - id: conf
    type: YAML
    required: false
  - id: day
    type: DATE
    required: false
  - id: when
    type: DATETIME
    required: false
  - id: at
    type: TIME
    required: false
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: hi
`;
  beforeAll(async () => {
    expect((await postYaml(`${t.api}/flows`, FLOW)).status).toBe(200);
  });

  async function start(fields: Record<string, string>): Promise<Response> {
    const body = new FormData();
    for (const [name, value] of Object.entries(fields)) body.append(name, value);
    return fetch(`${t.api}/executions/sec.inputs/typed`, { method: "POST", body });
  }

  it.each([
    ["a recursive alias in a YAML input", { conf: "a: &x [1, *x]" }, /^Invalid input for `conf`, .*recursive alias/],
    ["an alias bomb in a YAML input", { conf: LAUGHS }, /^Invalid input for `conf`, .*limit maxAliases = 100/s],
    ["DATE 2024-02-30", { day: "2024-02-30" }, /^Invalid input for `day`, Expected `DATE` but received `2024-02-30`/],
    [
      "DATETIME 2024-02-30T10:00:00Z",
      { when: "2024-02-30T10:00:00Z" },
      /^Invalid input for `when`, Expected `DATETIME` but received `2024-02-30T10:00:00Z`/,
    ],
    ["TIME 25:61", { at: "25:61" }, /^Invalid input for `at`, Expected `TIME` but received `25:61`/],
  ])("refuses %s with a 422 naming the input", async (_, fields, message) => {
    const body = await expectClientError(await start(fields), 422, message);
    expect(body.code).toBe("INPUT_INVALID");
    await expectServerUp();
  });

  it("keeps real dates as given", async () => {
    const response = await start({ day: "2024-02-29", when: "2024-02-29T10:00:00Z", at: "23:59" });
    expect((await json(response)).inputs).toEqual({
      day: "2024-02-29",
      when: "2024-02-29T10:00:00Z",
      at: "23:59",
      conf: null,
    });
  });
});
