/**
 * The expression functions that need a running flow: kv() (Kestra 0.22+ errorOnMissing, namespace
 * inheritance), tasksWithState(), and http() against a local HTTP server.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorMessages, openTestInstance, outputsOf, taskRun, type TestInstance } from "../testing/testInstance.ts";

let t: TestInstance;
let server: Server;
let base: string;
const seen: { method: string; url: string; headers: IncomingMessage["headers"]; body: string }[] = [];

beforeAll(async () => {
  t = await openTestInstance({ overrides: { expressions: { httpTimeoutMs: 2_000, httpMaxResponseBytes: 1024 } } });
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      const path = new URL(req.url!, "http://x").pathname;
      if (path === "/json") {
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ items: [{ slug: "a" }, { slug: "b" }], count: 2, ratio: 0.5 }));
      } else if (path === "/echo") {
        res.setHeader("content-type", "application/json");
        res.end(
          JSON.stringify({
            method: req.method,
            body,
            auth: req.headers.authorization ?? null,
            accept: req.headers.accept,
            query: Object.fromEntries(new URL(req.url!, "http://x").searchParams),
          }),
        );
      } else if (path === "/text") {
        res.setHeader("content-type", "text/plain");
        res.end("plain text");
      } else if (path === "/big") {
        res.setHeader("content-type", "text/plain");
        res.end("x".repeat(5000));
      } else if (path === "/slow") {
        setTimeout(() => res.end("late"), 5_000).unref();
      } else {
        res.statusCode = 404;
        res.end("nothing here");
      }
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((done) => server.close(done));
  await t.close();
});

const value = (x: Parameters<typeof outputsOf>[0], taskId: string) => outputsOf(x, taskId).value;

describe("kv()", () => {
  it("fails on a missing key by default, returns null with errorOnMissing=false, and reads parent namespaces", async () => {
    const seed = await t.run(`id: seed
namespace: company
tasks:
  - id: set
    type: io.kestra.plugin.core.kv.Set
    key: inherited
    value: from-company
`);
    expect(seed.state.current).toBe("SUCCESS");
    const x = await t.run(`id: kvread
namespace: company.team.sub
tasks:
  - id: missingNull
    type: io.kestra.plugin.core.debug.Return
    format: "[{{ kv('absent', errorOnMissing=false) }}]"
  - id: inherited
    type: io.kestra.plugin.core.debug.Return
    format: "{{ kv('inherited') }}"
  - id: explicitNamespaceDoesNotInherit
    type: io.kestra.plugin.core.debug.Return
    format: "[{{ kv('inherited', namespace='company.team', errorOnMissing=false) }}]"
  - id: missingFails
    type: io.kestra.plugin.core.debug.Return
    format: "{{ kv('absent') }}"
`);
    expect(value(x, "missingNull")).toBe("[]");
    expect(value(x, "inherited")).toBe("from-company");
    expect(value(x, "explicitNamespaceDoesNotInherit")).toBe("[]");
    expect(x.state.current).toBe("FAILED");
    expect(errorMessages(t, x, "missingFails").join("\n")).toContain(
      "The key 'absent' does not exist in the namespace 'company.team.sub'.",
    );
  });

  it("refuses an errorOnMissing that is not a boolean", async () => {
    const x = await t.run(`id: kvbadarg
namespace: company
tasks:
  - id: bad
    type: io.kestra.plugin.core.debug.Return
    format: "{{ kv('k', errorOnMissing='no') }}"
`);
    expect(x.state.current).toBe("FAILED");
    expect(errorMessages(t, x, "bad").join("\n")).toContain("errorOnMissing must be a boolean");
  });

  it("keeps Kestra 0.21's default (null) with expressions.kvErrorOnMissing: false", async () => {
    const old = await openTestInstance({ env: { SAKER_EXPRESSIONS_KV_ERROR_ON_MISSING: "false" } });
    try {
      const x = await old.run(`id: kvold
namespace: company
tasks:
  - id: get
    type: io.kestra.plugin.core.debug.Return
    format: "[{{ kv('absent') }}]"
  - id: strict
    type: io.kestra.plugin.core.debug.Return
    format: "{{ kv('absent', errorOnMissing=true) }}"
`);
      expect(outputsOf(x, "get").value).toBe("[]");
      expect(taskRun(x, "strict").state.current).toBe("FAILED");
    } finally {
      await old.close();
    }
  });
});

describe("read(), fileSize(), fileExists(), isFileEmpty() with a namespace", () => {
  it("read namespace files of the flow's namespace or of the one given", async () => {
    await t.instance.storage.put("/company/_files/own.txt", Buffer.from("mine"));
    await t.instance.storage.put("/shared/team/_files/config.txt", Buffer.from("shared config"));
    await t.instance.storage.put("/shared/team/_files/empty.txt", Buffer.from(""));
    const x = await t.run(`id: nsread
namespace: company
tasks:
  - id: own
    type: io.kestra.plugin.core.debug.Return
    format: "{{ read('own.txt') }}"
  - id: other
    type: io.kestra.plugin.core.debug.Return
    format: "{{ read('config.txt', namespace='shared.team') }} {{ fileSize('config.txt', 'shared.team') }} {{ fileExists('config.txt', namespace='shared.team') }} {{ fileExists('config.txt') }} {{ isFileEmpty('empty.txt', namespace='shared.team') }}"
  - id: missing
    type: io.kestra.plugin.core.debug.Return
    format: "{{ read('own.txt', namespace='shared.team') }}"
`);
    expect(value(x, "own")).toBe("mine");
    expect(value(x, "other")).toBe("shared config 13 true false true");
    expect(taskRun(x, "missing").state.current).toBe("FAILED");
  });
});

describe("secret() with a subkey", () => {
  it("returns one property of a JSON secret, masked in logs, and fails on a missing one", async () => {
    const json = JSON.stringify({ user: "db-user-name", port: 5432, nested: { a: 1 } });
    const s = await openTestInstance({
      env: {
        SECRET_DB: Buffer.from(json).toString("base64"),
        SECRET_PLAIN: Buffer.from("not json").toString("base64"),
      },
    });
    try {
      const x = await s.run(`id: subkeys
namespace: company
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "user={{ secret('DB', subkey='user') }}"
  - id: parallel
    type: io.kestra.plugin.core.flow.Parallel
    tasks:
      - id: port
        type: io.kestra.plugin.core.debug.Return
        format: "{{ secret('DB', namespace='company', subkey='port') == '5432' }} {{ secret('DB', subkey='nested') | length }}"
      - id: missing
        type: io.kestra.plugin.core.debug.Return
        format: "{{ secret('DB', subkey='password') }}"
      - id: notJson
        type: io.kestra.plugin.core.debug.Return
        format: "{{ secret('PLAIN', subkey='user') }}"
`);
      expect(outputsOf(x, "port").value).toBe("true 7");
      const logs = s.instance.logs
        .find({ executionId: x.id })
        .map((l) => l.message)
        .join("\n");
      expect(logs).toContain("user=**masked");
      expect(logs).not.toContain("db-user-name");
      expect(errorMessages(s, x, "missing").join("\n")).toContain(
        "Cannot find secret sub-key 'password' in secret 'DB'.",
      );
      expect(errorMessages(s, x, "notJson").join("\n")).toContain("Ensure the secret contains valid JSON value.");
    } finally {
      await s.close();
    }
  });
});

describe("tasksWithState()", () => {
  it("lists the task runs of the execution in a state, with the value of iterative ones", async () => {
    const x = await t.run(`id: states
namespace: company
tasks:
  - id: ok
    type: io.kestra.plugin.core.debug.Return
    format: fine
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: ["a", "b"]
    tasks:
      - id: inner
        type: io.kestra.plugin.core.debug.Return
        format: "{{ taskrun.value }}"
  - id: succeeded
    type: io.kestra.plugin.core.debug.Return
    format: "{{ tasksWithState('SUCCESS') | jq('[.[] | .taskId + \\":\\" + (.value // \\"\\")]') | first | join(',') }}"
  - id: broken
    type: io.kestra.plugin.core.execution.Fail
    errorMessage: boom
errors:
  - id: failed
    type: io.kestra.plugin.core.debug.Return
    format: "{{ tasksWithState('failed') | json }}"
`);
    expect(JSON.parse(String(value(x, "failed")))).toEqual([{ state: "FAILED", taskId: "broken" }]);
    expect(String(value(x, "succeeded")).split(",").sort()).toEqual(["each:", "inner:a", "inner:b", "ok:"]);
  });
});

describe("http()", () => {
  it("returns a JSON body parsed, and a text body as text", async () => {
    const x = await t.run(`id: httpget
namespace: company
tasks:
  - id: slugs
    type: io.kestra.plugin.core.debug.Return
    format: "{{ http(uri='${base}/json').items | jq('.[].slug') | join(',') }}"
  - id: count
    type: io.kestra.plugin.core.debug.Return
    format: "{{ http('${base}/json').count + 1 }} {{ http('${base}/json').ratio }}"
  - id: text
    type: io.kestra.plugin.core.debug.Return
    format: "{{ http(uri='${base}/text') }}"
`);
    expect(x.state.current).toBe("SUCCESS");
    expect(value(x, "slugs")).toBe("a,b");
    expect(value(x, "count")).toBe("3 0.5");
    expect(value(x, "text")).toBe("plain text");
  });

  it("sends the method, a JSON or form body, query parameters, headers and basic auth", async () => {
    seen.length = 0;
    const x = await t.run(`id: httppost
namespace: company
tasks:
  - id: post
    type: io.kestra.plugin.core.debug.Return
    format: "{{ http(uri='${base}/echo', method='post', body={'name': 'saker', 'n': 2}, query={'page': 3}, headers={'X-Trace': 'abc', 'Content-Type': 'text/plain'}, options={'auth': {'type': 'BASIC', 'username': 'u', 'password': 'p'}}) | json }}"
  - id: form
    type: io.kestra.plugin.core.debug.Return
    format: "{{ http(uri='${base}/echo', method='PUT', body={'a': 'b c'}, contentType='application/x-www-form-urlencoded').body }}"
`);
    expect(x.state.current).toBe("SUCCESS");
    expect(JSON.parse(String(value(x, "post")))).toEqual({
      method: "POST",
      body: '{"name":"saker","n":2}',
      auth: `Basic ${Buffer.from("u:p").toString("base64")}`,
      accept: "application/json",
      query: { page: "3" },
    });
    const post = seen.find((r) => r.method === "POST")!;
    expect(post.headers["x-trace"]).toBe("abc");
    expect(post.headers["content-type"]).toBe("application/json");
    expect(value(x, "form")).toBe("a=b+c");
  });

  it("fails on an error status, a too large body, a slow server, a bad argument", async () => {
    const x = await t.run(`id: httpbad
namespace: company
tasks:
  - id: parallel
    type: io.kestra.plugin.core.flow.Parallel
    tasks:
      - id: notFound
        type: io.kestra.plugin.core.debug.Return
        format: "{{ http('${base}/missing') }}"
      - id: allowed
        type: io.kestra.plugin.core.debug.Return
        format: "{{ http(uri='${base}/missing', options={'allowFailed': true}) }}"
      - id: big
        type: io.kestra.plugin.core.debug.Return
        format: "{{ http('${base}/big') }}"
      - id: slow
        type: io.kestra.plugin.core.debug.Return
        format: "{{ http('${base}/slow') }}"
      - id: noUri
        type: io.kestra.plugin.core.debug.Return
        format: "{{ http(method='GET') }}"
      - id: badMethod
        type: io.kestra.plugin.core.debug.Return
        format: "{{ http(uri='${base}/json', method='FETCH') }}"
      - id: notHttp
        type: io.kestra.plugin.core.debug.Return
        format: "{{ http('file:///etc/passwd') }}"
`);
    expect(x.state.current).toBe("FAILED");
    const error = (id: string) => errorMessages(t, x, id).join("\n");
    expect(error("notFound")).toContain("Failed to execute HTTP Request, server respond with status 404 : Not Found");
    expect(outputsOf(x, "allowed").value).toBe("nothing here");
    expect(error("big")).toContain("larger than 1024 bytes");
    expect(error("slow")).toContain("took longer than 2000 ms (expressions.httpTimeoutMs)");
    expect(error("noUri")).toContain("The 'http' function expects an argument 'uri'.");
    expect(error("badMethod")).toContain("unknown method 'FETCH'");
    expect(error("notHttp")).toContain("must be an http(s) URI");
  });
});
