import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json, postYaml, startTestApi, type TestApi } from "./testApi.ts";

let t: TestApi;
beforeAll(async () => {
  t = await startTestApi();
  expect(
    (
      await postYaml(
        `${t.api}/flows`,
        "id: f\nnamespace: company.team\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: m\n",
      )
    ).status,
  ).toBe(200);
});
afterAll(() => t.close());

function upload(namespace: string, path: string, content: string): Promise<Response> {
  const data = new FormData();
  data.append("fileContent", new Blob([content]), "file");
  return fetch(`${t.api}/namespaces/${namespace}/files?path=${encodeURIComponent(path)}`, {
    method: "POST",
    body: data,
  });
}

const files = (namespace: string, query: string, init?: RequestInit) =>
  fetch(`${t.api}/namespaces/${namespace}/files${query}`, init);

describe("namespace files", () => {
  it("uploads, reads, lists, stats, moves and deletes files", async () => {
    expect((await upload("company.team", "/scripts/run.sh", "echo hi")).status).toBe(200);
    expect((await upload("company.team", "/scripts/lib/util.sh", "util")).status).toBe(200);
    expect((await upload("company.team", "readme.md", "# hi")).status).toBe(200);
    const read = await files("company.team", "?path=/scripts/run.sh");
    expect(read.headers.get("content-type")).toContain("application/octet-stream");
    expect(await read.text()).toBe("echo hi");
    expect(await json(await files("company.team", "/directory"))).toEqual([
      { fileName: "readme.md", type: "File", size: 4 },
      { fileName: "scripts", type: "Directory", size: 0 },
    ]);
    expect(await json(await files("company.team", "/directory?path=/scripts"))).toEqual([
      { fileName: "lib", type: "Directory", size: 0 },
      { fileName: "run.sh", type: "File", size: 7 },
    ]);
    expect(await json(await files("company.team", "/stats?path=/scripts/run.sh"))).toEqual({
      fileName: "run.sh",
      type: "File",
      size: 7,
    });
    expect(await json(await files("company.team", "/stats?path=/scripts"))).toMatchObject({
      fileName: "scripts",
      type: "Directory",
    });
    expect((await files("company.team", "?from=/scripts&to=/bin", { method: "PUT" })).status).toBe(200);
    expect(await (await files("company.team", "?path=/bin/lib/util.sh")).text()).toBe("util");
    expect((await files("company.team", "?path=/scripts/run.sh")).status).toBe(404);
    expect((await files("company.team", "?from=/readme.md&to=/bin/run.sh", { method: "PUT" })).status).toBe(409);
    expect((await files("company.team", "?path=/bin", { method: "DELETE" })).status).toBe(200);
    expect((await files("company.team", "/directory?path=/bin")).status).toBe(404);
    // as Kestra's `namespace files update` needs it: a missing path is no error, `/` empties the namespace
    expect((await files("company.team", "?path=/bin", { method: "DELETE" })).status).toBe(200);
    expect((await upload("company.other", "/kept.txt", "kept")).status).toBe(200);
    // an empty path is a mistake, not the root
    expect((await files("company.team", "?path=", { method: "DELETE" })).status).toBe(400);
    expect((await files("company.team", "?path=/", { method: "DELETE" })).status).toBe(200);
    expect(await json(await files("company.team", "/directory?path=/"))).toEqual([]);
    expect(await (await files("company.other", "?path=/kept.txt")).text()).toBe("kept");
  });

  it("refuses traversal in every form, and keeps absolute paths inside the namespace", async () => {
    expect((await upload("company.other", "/secret.txt", "top secret")).status).toBe(200);
    const attempts = [
      "../other/_files/secret.txt",
      "/../../other/_files/secret.txt",
      "scripts/../../other/_files/secret.txt",
      "%2e%2e%2fother%2f_files%2fsecret.txt",
      "%252e%252e%252fother%252f_files%252fsecret.txt",
      "..\\other\\_files\\secret.txt",
      "/readme.md\u0000.png",
      "C:\\secret.txt",
    ];
    for (const path of attempts) {
      for (const query of [
        `?path=${encodeURIComponent(path)}`,
        `/stats?path=${encodeURIComponent(path)}`,
        `/directory?path=${encodeURIComponent(path)}`,
      ]) {
        const response = await files("company.team", query);
        expect(response.status, `${query}`).toBe(400);
        expect((await json(response)).code).toBe("PATH_INVALID");
      }
      expect((await upload("company.team", path, "pwned")).status, path).toBe(400);
      expect((await files("company.team", `?path=${encodeURIComponent(path)}`, { method: "DELETE" })).status).toBe(400);
      expect(
        (await files("company.team", `?from=/readme.md&to=${encodeURIComponent(path)}`, { method: "PUT" })).status,
      ).toBe(400);
    }
    // sent without encoding: the server decodes once, and still refuses
    expect(
      (await fetch(`${t.api}/namespaces/company.team/files?path=%2e%2e%2fother%2f_files%2fsecret.txt`)).status,
    ).toBe(400);
    expect((await fetch(`${t.api}/namespaces/company.team/files?path=..%5Cother`)).status).toBe(400);
    // an absolute path is a path in the namespace, never on the disk
    expect((await files("company.team", `?path=${encodeURIComponent("/etc/passwd")}`)).status).toBe(404);
    expect((await fetch(`${t.api}/namespaces/..%2F..%2Fetc/files?path=/passwd`)).status).toBe(400);
    expect(await (await files("company.other", "?path=/secret.txt")).text()).toBe("top secret");
  });

  it("answers 404 for missing files and 400 without a file part", async () => {
    expect(await json(await files("company.team", "?path=/missing.txt"))).toMatchObject({ code: "FILE_NOT_FOUND" });
    const noPart = new FormData();
    noPart.append("other", "x");
    expect((await files("company.team", "?path=/x.txt", { method: "POST", body: noPart })).status).toBe(400);
  });
});

describe("KV store", () => {
  const kv = (key: string, init?: RequestInit) => fetch(`${t.api}/namespaces/company.team/kv/${key}`, init);
  const put = (key: string, body: string, headers: Record<string, string> = {}) =>
    kv(key, { method: "PUT", headers: { "Content-Type": "application/json", ...headers }, body });

  it("keeps the JSON type of each value", async () => {
    for (const [key, body, expected] of [
      ["text", '"hello"', { type: "STRING", value: "hello" }],
      ["number", "42.5", { type: "NUMBER", value: 42.5 }],
      ["flag", "true", { type: "BOOLEAN", value: true }],
      ["object", '{"a":[1,2]}', { type: "JSON", value: { a: [1, 2] } }],
      ["day", "2024-05-01", { type: "DATE", value: "2024-05-01" }],
      ["when", "2024-05-01T10:00:00Z", { type: "DATETIME", value: "2024-05-01T10:00:00.000Z" }],
      ["wait", "PT5M", { type: "DURATION", value: "PT5M" }],
    ] as const) {
      expect((await put(key, body)).status, key).toBe(200);
      expect(await json(await kv(key))).toEqual(expected);
    }
    const plain = await kv("plain", { method: "PUT", headers: { "Content-Type": "text/plain" }, body: "just text" });
    expect(plain.status).toBe(200);
    expect(await json(await kv("plain"))).toEqual({ type: "STRING", value: "just text" });
    const keys = await json<{ key: string }[]>(await fetch(`${t.api}/namespaces/company.team/kv`));
    expect(keys.map((k) => k.key)).toEqual(["day", "flag", "number", "object", "plain", "text", "wait", "when"]);
  });

  it("lists keys with their creation, update and expiration dates; a new value keeps the creation date", async () => {
    expect((await put("dated", '"first"', { ttl: "PT1H" })).status).toBe(200);
    const listed = async () =>
      (await json<Record<string, unknown>[]>(await fetch(`${t.api}/namespaces/company.team/kv`))).find(
        (k) => k.key === "dated",
      )!;
    const first = await listed();
    expect(Object.keys(first).sort()).toEqual(["creationDate", "expirationDate", "key", "updateDate"]);
    expect(first.creationDate).toBe(first.updateDate);
    expect(Date.parse(first.expirationDate as string) - Date.parse(first.updateDate as string)).toBe(3_600_000);
    await new Promise((r) => setTimeout(r, 5));
    expect((await put("dated", '"second"')).status).toBe(200);
    const second = await listed();
    expect(second.creationDate).toBe(first.creationDate);
    expect(Date.parse(second.updateDate as string)).toBeGreaterThan(Date.parse(first.updateDate as string));
    expect(second.expirationDate).toBeNull();
    expect((await kv("dated", { method: "DELETE" })).status).toBe(200);
  });

  it("expires a key after its ttl", async () => {
    expect((await put("short", '"soon gone"', { ttl: "PT0.3S" })).status).toBe(200);
    expect((await kv("short")).status).toBe(200);
    await new Promise((r) => setTimeout(r, 400));
    expect((await kv("short")).status).toBe(404);
    expect((await put("bad-ttl", "1", { ttl: "soon" })).status).toBe(400);
  });

  it("deletes keys, and answers 404 and 400 for missing and invalid keys", async () => {
    expect(await json(await kv("text", { method: "DELETE" }))).toBe(true);
    expect(await json(await kv("text", { method: "DELETE" }))).toBe(false);
    expect(await json(await kv("text"))).toMatchObject({ code: "KV_NOT_FOUND" });
    const bulk = await fetch(`${t.api}/namespaces/company.team/kv`, {
      method: "DELETE",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ keys: ["number", "flag", "nothing"] }),
    });
    expect(await json(bulk)).toEqual({ keys: ["number", "flag"] });
    expect((await put("bad key!", "1")).status).toBe(400);
    expect((await put("broken", "{not json")).status).toBe(400);
  });
});

describe("namespaces", () => {
  it("lists the namespaces of flows with their parents", async () => {
    const found = await json<{ results: { id: string }[]; total: number }>(await fetch(`${t.api}/namespaces/search`));
    expect(found.results.map((n) => n.id)).toEqual(["company", "company.team"]);
    expect(await json(await fetch(`${t.api}/namespaces/company`))).toEqual({ id: "company", deleted: false });
    expect((await fetch(`${t.api}/namespaces/nothing`)).status).toBe(404);
  });
});
