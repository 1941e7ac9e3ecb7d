/**
 * Secrets never leak through derived forms or side doors: a line of a multi-line secret, a secret
 * base64-encoded by one task and decoded by the next, a secret in a label or a flow output, the
 * base64 and URL-encoded forms. Checked against a real `server local` over HTTP (the execution,
 * search, logs, both event streams), the CLI's `flow run` (human and `--json`), and the SQLite
 * file (WAL included) and storage folder, byte by byte. The values holding a secret are stored
 * sealed, and still reach later tasks in clear.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { Encryption, isSealed, listFiles, SecretSealer, urlEncode } from "@saker/engine/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executionOf, runCli } from "../integration/cli.ts";
import { postYaml } from "../../packages/server/src/__tests__/testApi.ts";
import { startServerProcess, type ServerProcess } from "./serverProcess.ts";

const PEM_LINE = "MIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4";
const PEM = `-----BEGIN TEST KEY-----\n${PEM_LINE}\nKUpRKfFLfRYC9AIKjbJTWit+CqvjWYzvQwECAwEAAQ==\n-----END TEST KEY-----`;
const TOKEN = "tok3n-Only-Known-To-The-Instance";
const URL_SECRET = "p@ss w/rd&x=1!UrlSecret";
const b64 = (s: string) => Buffer.from(s).toString("base64");

/** Byte strings none of which may appear anywhere the run writes or shows. */
const FORBIDDEN = [
  PEM_LINE,
  "KUpRKfFLfRYC9AIKjbJTWit",
  TOKEN,
  b64(TOKEN),
  b64(TOKEN).replace(/=+$/, ""),
  URL_SECRET,
  urlEncode(URL_SECRET),
  encodeURIComponent(URL_SECRET),
  b64(URL_SECRET).replace(/=+$/, ""),
];

const FLOW = `id: leaks
namespace: sec.leaks
labels:
  fromflow: "{{ secret('API_TOKEN') }}"
outputs:
  - id: token
    type: STRING
    value: "{{ secret('API_TOKEN') }}"
tasks:
  - id: line
    type: io.kestra.plugin.core.log.Log
    message: "line {{ secret('PEM_KEY') | substringAfter('-----BEGIN TEST KEY-----') | substringBefore('KUpR') | trim }}"
  - id: encode
    type: io.kestra.plugin.core.debug.Return
    format: "{{ secret('API_TOKEN') | base64encode }}"
  - id: decode
    type: io.kestra.plugin.core.log.Log
    message: "decoded {{ outputs.encode.value | base64decode }}"
  - id: decoded
    type: io.kestra.plugin.core.debug.Return
    format: "{{ outputs.encode.value | base64decode }}"
  - id: forms
    type: io.kestra.plugin.core.log.Log
    message: "b64 {{ secret('API_TOKEN') | base64encode }} url {{ secret('URL_SECRET') | urlencode }} pem {{ secret('PEM_KEY') | base64encode }}"
  - id: label
    type: io.kestra.plugin.core.execution.Labels
    labels:
      fromtask: "{{ secret('API_TOKEN') }}"
  - id: check
    type: io.kestra.plugin.core.debug.Return
    format: "{{ outputs.decoded.value == secret('API_TOKEN') }}/{{ labels.fromtask == secret('API_TOKEN') }}/{{ outputs.encode.value == (secret('API_TOKEN') | base64encode) }}"
`;

/** A child flow whose output is a secret, and a parent that gets it through a Subflow task. */
const CHILD = `id: child
namespace: sec.leaks
outputs:
  - id: token
    type: STRING
    value: "{{ secret('API_TOKEN') | base64encode }}"
tasks:
  - id: nothing
    type: io.kestra.plugin.core.log.Log
    message: child
`;
const PARENT = `id: parent
namespace: sec.leaks
tasks:
  - id: sub
    type: io.kestra.plugin.core.flow.Subflow
    namespace: sec.leaks
    flowId: child
  - id: got
    type: io.kestra.plugin.core.log.Log
    message: "got {{ outputs.sub.outputs.token | base64decode }}"
  - id: check
    type: io.kestra.plugin.core.debug.Return
    format: "{{ (outputs.sub.outputs.token | base64decode) == secret('API_TOKEN') }}"
`;

const work = mkdtempSync(join(tmpdir(), "saker-sec-secrets-"));
const home = join(work, "home");
const flowFile = join(work, "leaks.yaml");
const env = { SECRET_PEM_KEY: b64(PEM), SECRET_API_TOKEN: b64(TOKEN), SECRET_URL_SECRET: b64(URL_SECRET) };
let server: ServerProcess | undefined;
let api = "";

/** Every file below `root`, as full paths. */
const filesUnder = async (root: string) => (await listFiles(root)).map((path) => join(root, path));

function expectNoLeak(where: string, content: string | Buffer): void {
  for (const form of FORBIDDEN) expect(content.includes(form), `${where} shows '${form}'`).toBe(false);
}

async function text(path: string): Promise<string> {
  const response = await fetch(`${api}${path}`, { signal: AbortSignal.timeout(30_000) });
  expect(response.status, path).toBe(200);
  return response.text();
}

beforeAll(async () => {
  writeFileSync(flowFile, FLOW);
  server = await startServerProcess(home, env);
  api = server.api;
}, 60_000);

afterAll(async () => {
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe("secrets in derived forms and side doors", () => {
  let executionId = "";

  it("are masked in the execution, the search, the logs and both event streams of the API", async () => {
    const deployed = await postYaml(`${api}/flows`, FLOW);
    expect(deployed.status).toBe(200);
    const created = await fetch(`${api}/executions/sec.leaks/leaks`, { method: "POST" });
    const createdText = await created.text();
    expectNoLeak("POST /executions", createdText);
    executionId = JSON.parse(createdText).id;
    // follow from the start: progress events of the running execution, then the end
    const [followed, followedLogs] = await Promise.all([
      text(`/executions/${executionId}/follow`),
      text(`/logs/${executionId}/follow`),
    ]);
    expectNoLeak("the execution's event stream", followed);
    expectNoLeak("the logs' event stream", followedLogs);
    expect(followed).toContain("id: end");

    const executionText = await text(`/executions/${executionId}`);
    expectNoLeak("GET /executions/{id}", executionText);
    const execution = JSON.parse(executionText);
    expect(execution.state.current).toBe("SUCCESS");
    const output = (taskId: string) =>
      execution.taskRunList.find((t: { taskId: string }) => t.taskId === taskId).outputs.value;
    // a later task received the real values: the decoded output, the label and the encoded output
    expect(output("check")).toBe("true/true/true");
    expect(output("encode")).toMatch(/^\*\*masked\*+$/);
    expect(output("decoded")).toMatch(/^\*\*masked\*+$/);
    expect(execution.outputs.token).toMatch(/^\*\*masked\*+$/);
    expect(execution.labels).toContainEqual({ key: "fromtask", value: expect.stringMatching(/^\*\*masked\*+$/) });

    expectNoLeak("GET /executions/search", await text("/executions/search?namespace=sec.leaks"));
    expectNoLeak("GET /executions", await text("/executions?namespace=sec.leaks&flowId=leaks"));
    const logs = await text(`/logs/${executionId}`);
    expectNoLeak("GET /logs/{id}", logs);
    expect(logs).toMatch(/line \*\*masked\*+/);
    expect(logs).toMatch(/decoded \*\*masked\*+/);
    expect(logs).toMatch(/b64 \*\*masked\*+ url \*\*masked\*+ pem \*\*masked\*+/);
    expectNoLeak("GET /logs/{id}/download", await text(`/logs/${executionId}/download`));
    expectNoLeak("GET /logs/search", await text("/logs/search?namespace=sec.leaks&size=100"));
  }, 60_000);

  it("pass from a subflow's outputs to its parent's later task in clear, and are shown masked", async () => {
    for (const body of [CHILD, PARENT]) {
      expect((await postYaml(`${api}/flows`, body)).status).toBe(200);
    }
    const created = await fetch(`${api}/executions/sec.leaks/parent?wait=true`, { method: "POST" });
    const createdText = await created.text();
    expectNoLeak("POST /executions?wait=true", createdText);
    const parent = JSON.parse(createdText);
    expect(parent.state.current).toBe("SUCCESS");
    const check = parent.taskRunList.find((t: { taskId: string }) => t.taskId === "check");
    expect(check.outputs.value).toBe("true");
    const sub = parent.taskRunList.find((t: { taskId: string }) => t.taskId === "sub");
    expect(sub.outputs.outputs.token).toMatch(/^\*\*masked\*+$/);
    const logs = await text(`/logs/${parent.id}`);
    expectNoLeak("GET /logs/{id} of the parent", logs);
    expect(logs).toMatch(/got \*\*masked\*+/);
    expectNoLeak("GET /executions/search", await text("/executions/search?namespace=sec.leaks&size=50"));
  }, 60_000);

  it("are not in the SQLite file, its WAL or the storage folder, and the sealed values still decrypt", async () => {
    // read while the server runs: the WAL still holds the latest pages
    const files = await filesUnder(home);
    expect(files.some((f) => f.endsWith("saker.db"))).toBe(true);
    for (const path of files) expectNoLeak(path, readFileSync(path));

    const db = new Database(join(home, "saker.db"), { readonly: true });
    const row = db.prepare("SELECT json FROM execution_documents WHERE id = ?").get(executionId) as { json: string };
    db.close();
    const stored = JSON.parse(row.json);
    const encode = stored.taskRunList.find((t: { taskId: string }) => t.taskId === "encode").outputs.value;
    expect(isSealed(encode)).toBe(true);
    const sealer = new SecretSealer(new Encryption(readFileSync(join(home, "encryption.key"), "utf8").trim()));
    expect(sealer.reveal(encode)).toBe(b64(TOKEN));
    expect(sealer.reveal(stored.outputs.token)).toBe(TOKEN);
    expect(sealer.reveal(stored.labels.find((l: { key: string }) => l.key === "fromtask").value)).toBe(TOKEN);
  });

  it("are masked by `saker flow run`, human and --json, after a restart on the same data", async () => {
    await server!.stop();
    for (const args of [
      ["flow", "run", flowFile],
      ["flow", "run", flowFile, "--json"],
    ]) {
      const result = await runCli(args, { home, env });
      expectNoLeak(`${args.join(" ")} stdout`, result.stdout);
      expectNoLeak(`${args.join(" ")} stderr`, result.stderr);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toMatch(/decoded \*\*masked\*+/);
      expect(result.stderr).toMatch(/line \*\*masked\*+/);
      if (args.includes("--json")) {
        const execution = executionOf(result);
        expect(execution.taskRunList.find((t: { taskId: string }) => t.taskId === "check").outputs.value).toBe(
          "true/true/true",
        );
        expect(execution.outputs.token).toMatch(/^\*\*masked\*+$/);
      } else {
        expect(result.stdout).toMatch(/Outputs: \{"token":"\*\*masked\*+"\}/);
      }
    }
    for (const path of await filesUnder(home)) expectNoLeak(path, readFileSync(path));
  }, 60_000);
});
