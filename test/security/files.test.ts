/**
 * Storage never leaves its root: a symbolic link to /etc/passwd left in the storage folder (as a
 * script task could leave one) is never served, by the namespace files API, the execution files
 * API or `read()` in a flow; a FILE input naming another namespace's file is refused at once.
 * Each attack runs against a real server over HTTP, which must stay up afterwards.
 */
import { mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executionPrefix } from "@saker/engine/testing";
import { json, postYaml, startTestApi, type TestApi } from "../../packages/server/src/__tests__/testApi.ts";

const PASSWD = readFileSync("/etc/passwd", "utf8");
let t: TestApi;

beforeAll(async () => {
  t = await startTestApi();
});
afterAll(async () => t?.close());

/** A link in the storage folder, made on disk as a task running on the same machine could. */
function plantLink(storagePath: string, target = "/etc/passwd"): void {
  const file = join(t.test.instance.config.storagePath, storagePath);
  mkdirSync(dirname(file), { recursive: true });
  symlinkSync(target, file);
}

async function expectServerUp(): Promise<void> {
  expect((await fetch(`${t.url}/health`)).status).toBe(200);
}

async function deploy(yaml: string): Promise<void> {
  const response = await postYaml(`${t.api}/flows`, yaml);
  expect(response.status, await response.clone().text()).toBe(200);
}

describe("symbolic links in storage are never followed", () => {
  it("namespace files: a link to a file or to a folder is never served", async () => {
    plantLink("/sec/links/_files/passwd.txt");
    plantLink("/sec/links/_files/etc", "/etc");
    for (const path of ["/passwd.txt", "/etc/passwd"]) {
      const response = await fetch(`${t.api}/namespaces/sec.links/files?path=${encodeURIComponent(path)}`);
      const body = await response.text();
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expect(body).not.toContain("root:x:0:0");
    }
    const listing = await json(await fetch(`${t.api}/namespaces/sec.links/files/directory`));
    expect(JSON.stringify(listing)).not.toContain("passwd");
    const inside = await fetch(`${t.api}/namespaces/sec.links/files/directory?path=/etc`);
    expect(inside.status).toBe(403);
    expect(await inside.text()).not.toContain("passwd");
    await expectServerUp();
  });

  it("an upload over a link is refused and leaves its target alone", async () => {
    plantLink("/sec/upload/_files/target.txt");
    const body = new FormData();
    body.append("fileContent", new Blob(["pwned"]), "target.txt");
    const response = await fetch(`${t.api}/namespaces/sec.upload/files?path=/target.txt`, { method: "POST", body });
    expect(response.status).toBe(403);
    expect((await json(response)).code).toBe("STORAGE_LINK_REFUSED");
    expect(readFileSync("/etc/passwd", "utf8")).toBe(PASSWD);
    await expectServerUp();
  });

  it("execution files: a link in the execution's folder is refused", async () => {
    await deploy(
      "id: plain\nnamespace: sec.files\ntasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n",
    );
    const execution = await json(await fetch(`${t.api}/executions/sec.files/plain?wait=true`, { method: "POST" }));
    expect(execution.state.current).toBe("SUCCESS");
    const prefix = executionPrefix("sec.files", "plain", execution.id);
    plantLink(`${prefix}/tasks/log/passwd.txt`);
    for (const route of ["file", "file/preview", "file/metas"]) {
      const response = await fetch(
        `${t.api}/executions/${execution.id}/${route}?path=${encodeURIComponent(`kestra://${prefix}/tasks/log/passwd.txt`)}`,
      );
      expect(response.status).toBe(404);
      expect(await response.text()).not.toContain("root:x:0:0");
    }
    await expectServerUp();
  });

  it("read() of a linked namespace file fails the task", async () => {
    plantLink("/sec/reader/_files/passwd.txt");
    await deploy(`id: reader
namespace: sec.reader
tasks:
  - id: leak
    type: io.kestra.plugin.core.debug.Return
    format: "{{ read('passwd.txt') }}"
`);
    const execution = await json(await fetch(`${t.api}/executions/sec.reader/reader?wait=true`, { method: "POST" }));
    expect(execution.state.current).toBe("FAILED");
    expect(JSON.stringify(execution)).not.toContain("root:x:0:0");
    const logs = await (await fetch(`${t.api}/logs/${execution.id}`)).text();
    expect(logs).not.toContain("root:x:0:0");
    expect(logs).toMatch(/symbolic link/);
    await expectServerUp();
  });
});

describe("FILE inputs given as a URI", () => {
  const FLOW =
    'id: takesfile\nnamespace: sec.inputs\ninputs:\n  - id: data\n    type: FILE\ntasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: "{{ inputs.data }}"\n';

  async function start(value: string): Promise<Response> {
    const body = new FormData();
    body.append("data", value);
    return fetch(`${t.api}/executions/sec.inputs/takesfile`, { method: "POST", body });
  }

  beforeAll(async () => deploy(FLOW));

  it("refuses another namespace's file at once, naming the input", async () => {
    await t.test.instance.storage.put("/other/ns/_files/secret.txt", Buffer.from("theirs"));
    for (const uri of [
      "kestra:///other/ns/_files/secret.txt",
      "kestra:///other/ns/flow/executions/x1/secret.txt",
      "nsfile://other.ns/secret.txt",
    ]) {
      const response = await start(uri);
      expect(response.status, uri).toBe(422);
      const error = await json(response);
      expect(error.code).toBe("INPUT_INVALID");
      expect(error.message).toContain("Invalid input for `data`");
    }
    await expectServerUp();
  });

  it("accepts the namespace's own files", async () => {
    await t.test.instance.storage.put("/sec/inputs/_files/mine.txt", Buffer.from("ours"));
    for (const uri of ["kestra:///sec/inputs/_files/mine.txt", "nsfile:///mine.txt"]) {
      const response = await start(uri);
      expect(response.status, uri).toBe(200);
      expect((await json(response)).inputs.data).toBe("kestra:///sec/inputs/_files/mine.txt");
    }
  });
});
