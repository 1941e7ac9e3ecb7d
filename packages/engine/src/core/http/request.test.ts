import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Execution } from "../../model/execution.ts";
import { toStoragePath } from "../../storage/paths.ts";
import { streamToBuffer } from "../../storage/streams.ts";
import { errorMessages, openTestInstance, outputsOf, taskRuns, type TestInstance } from "../../testing/testInstance.ts";
import { filenameFromDisposition } from "./request.ts";

let t: TestInstance;
let server: Server;
let base: string;
const received: { method?: string; url?: string; headers: IncomingMessage["headers"]; body: string }[] = [];

beforeAll(async () => {
  t = await openTestInstance();
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    received.push({
      method: req.method,
      url: req.url,
      headers: req.headers,
      body: Buffer.concat(chunks).toString("utf8"),
    });
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname === "/json") {
      res.writeHead(200, { "content-type": "application/json", "x-multi": ["a", "b"] });
      res.end('{"hello":"world"}');
    } else if (url.pathname === "/echo") {
      res.writeHead(201, { "content-type": "text/plain" });
      res.end(`${req.method} ${req.headers["content-type"] ?? ""} ${Buffer.concat(chunks).toString("utf8")}`);
    } else if (url.pathname === "/auth") {
      res.writeHead(req.headers.authorization ? 200 : 401);
      res.end(req.headers.authorization ?? "no auth");
    } else if (url.pathname === "/redirect") {
      res.writeHead(302, { location: "/json" });
      res.end();
    } else if (url.pathname === "/file.csv") {
      res.writeHead(200, { "content-type": "text/csv" });
      res.end("a,b\n1,2\n");
    } else if (url.pathname === "/named") {
      res.writeHead(200, { "content-disposition": 'attachment; filename="../report.txt"' });
      res.end("report");
    } else if (url.pathname === "/empty") {
      res.writeHead(200);
      res.end();
    } else if (url.pathname === "/slow") {
      setTimeout(() => res.end("late"), 2000);
    } else {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not here");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await t.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const out = outputsOf;
const errors = (x: Execution, taskId: string) => errorMessages(t, x, taskId);
const read = async (uri: unknown) =>
  (await streamToBuffer(await t.instance.storage.get(toStoragePath(String(uri))))).toString("utf8");
const flow = (id: string, tasks: string) =>
  `id: ${id}\nnamespace: company.http\ntasks:\n${tasks.replaceAll("BASE", base)}`;

describe("http.Request", () => {
  it("returns code, headers and the body as text", async () => {
    const x = await t.run(
      flow(
        "request",
        `  - id: get
    type: io.kestra.plugin.core.http.Request
    uri: BASE/json
  - id: parsed
    type: io.kestra.plugin.core.debug.Return
    format: "{{ json(outputs.get.body).hello }}"
  - id: post
    type: io.kestra.plugin.fs.http.Request
    uri: BASE/echo
    method: POST
    contentType: application/json
    body: '{"name": "{{ flow.id }}"}'
    headers:
      X-Custom: "{{ flow.namespace }}"
  - id: untyped
    type: io.kestra.plugin.core.http.Request
    uri: BASE/echo
    method: POST
    body: '{"a": 1}'
  - id: typedByHeader
    type: io.kestra.plugin.core.http.Request
    uri: BASE/echo
    method: PUT
    body: a=1
    headers:
      Content-Type: text/plain
  - id: headerWins
    type: io.kestra.plugin.core.http.Request
    uri: BASE/echo
    method: POST
    contentType: text/plain
    body: <a/>
    headers:
      Content-Type: application/xml
  - id: formDespiteJson
    type: io.kestra.plugin.core.http.Request
    uri: BASE/echo
    method: POST
    contentType: application/json
    formData:
      user: ann
  - id: form
    type: io.kestra.plugin.core.http.Request
    uri: BASE/echo
    method: POST
    formData:
      user: john
      n: 1
  - id: redirect
    type: io.kestra.plugin.core.http.Request
    uri: BASE/redirect
  - id: noRedirect
    type: io.kestra.plugin.core.http.Request
    uri: BASE/redirect
    options:
      followRedirects: false
`,
      ),
    );
    expect(x.state.current).toBe("SUCCESS");
    expect(out(x, "get")).toMatchObject({ uri: `${base}/json`, code: 200, body: '{"hello":"world"}' });
    expect((out(x, "get").headers as Record<string, string[]>)["x-multi"]).toEqual(["a", "b"]);
    expect(out(x, "parsed")).toEqual({ value: "world" });
    expect(out(x, "post")).toMatchObject({ code: 201, body: 'POST application/json {"name": "request"}' });
    expect(received.find((r) => r.url === "/echo" && r.headers["x-custom"])?.headers["x-custom"]).toBe("company.http");
    // a body without a content type is JSON, as Kestra's contentType defaults to; a header says otherwise
    expect(out(x, "untyped").body).toBe('POST application/json {"a": 1}');
    expect(out(x, "typedByHeader").body).toBe("PUT text/plain a=1");
    // a Content-Type header wins over contentType; a URL-encoded form is sent as one, as in Kestra
    expect(out(x, "headerWins").body).toBe("POST application/xml <a/>");
    expect(out(x, "formDespiteJson").body).toBe("POST application/x-www-form-urlencoded user=ann");
    expect(out(x, "form").body).toBe("POST application/x-www-form-urlencoded user=john&n=1");
    expect(out(x, "redirect")).toMatchObject({ code: 200, body: '{"hello":"world"}' });
    expect(out(x, "noRedirect")).toMatchObject({ code: 302 });
  });

  it("sends basic and bearer authentication", async () => {
    const x = await t.run(
      flow(
        "auth",
        `  - id: old
    type: io.kestra.plugin.core.http.Request
    uri: BASE/auth
    options:
      basicAuthUser: user
      basicAuthPassword: pass
  - id: basic
    type: io.kestra.plugin.core.http.Request
    uri: BASE/auth
    options:
      auth: {type: BASIC, username: user, password: pass}
  - id: bearer
    type: io.kestra.plugin.core.http.Request
    uri: BASE/auth
    options:
      auth: {type: BEARER, token: abc}
`,
      ),
    );
    expect(out(x, "old").body).toBe(`Basic ${Buffer.from("user:pass").toString("base64")}`);
    expect(out(x, "basic").body).toBe(out(x, "old").body);
    expect(out(x, "bearer").body).toBe("Bearer abc");
  });

  it("fails on 4xx unless allowed, on timeouts and on bad URIs", async () => {
    const x = await t.run(
      flow(
        "failures",
        `  - id: parallel
    type: io.kestra.plugin.core.flow.Parallel
    tasks:
      - id: notFound
        type: io.kestra.plugin.core.http.Request
        uri: BASE/missing
      - id: allowed
        type: io.kestra.plugin.core.http.Request
        uri: BASE/missing
        allowFailed: true
      - id: allowedNew
        type: io.kestra.plugin.core.http.Request
        uri: BASE/missing
        options:
          allowFailed: true
      - id: onlyCodes
        type: io.kestra.plugin.core.http.Request
        uri: BASE/json
        options:
          allowedResponseCodes: [201]
      - id: slow
        type: io.kestra.plugin.core.http.Request
        uri: BASE/slow
        options:
          readTimeout: PT0.2S
      - id: badUri
        type: io.kestra.plugin.core.http.Request
        uri: "not a uri"
      - id: badMethod
        type: io.kestra.plugin.core.http.Request
        uri: BASE/json
        method: "{{ 'FETCH' }}"
`,
      ),
    );
    expect(x.state.current).toBe("FAILED");
    expect(errors(x, "notFound")).toEqual(["Failed http request with response code '404': not here"]);
    expect(out(x, "allowed")).toMatchObject({ code: 404, body: "not here" });
    expect(out(x, "allowedNew")).toMatchObject({ code: 404 });
    expect(errors(x, "onlyCodes")).toEqual(['Failed http request with response code \'200\': {"hello":"world"}']);
    expect(taskRuns(x, "slow")[0]!.state.current).toBe("FAILED");
    expect(errors(x, "slow")[0]).toMatch(new RegExp(`^GET ${base}/slow failed: .*[Tt]imeout`));
    expect(errors(x, "badUri")).toEqual(["'uri' must be an absolute http(s) URI, got 'not a uri'"]);
    expect(errors(x, "badMethod")[0]).toMatch(/^property 'method' must be one of GET, POST/);
  });
});

describe("http.Download", () => {
  it("stores the response, named from the URI or Content-Disposition", async () => {
    const x = await t.run(
      flow(
        "download",
        `  - id: csv
    type: io.kestra.plugin.core.http.Download
    uri: BASE/file.csv
  - id: named
    type: io.kestra.plugin.fs.http.Download
    uri: BASE/named
  - id: empty
    type: io.kestra.plugin.core.http.Download
    uri: BASE/empty
    failOnEmptyResponse: false
`,
      ),
    );
    expect(x.state.current).toBe("SUCCESS");
    expect(out(x, "csv")).toMatchObject({ code: 200, length: 8, uri: expect.stringMatching(/\.csv$/) });
    expect(await read(out(x, "csv").uri)).toBe("a,b\n1,2\n");
    expect(String(out(x, "named").uri)).toMatch(/-report\.txt$/);
    expect(out(x, "empty")).toMatchObject({ length: 0 });
  });

  it("fails on 4xx and on an empty response", async () => {
    const x = await t.run(
      flow(
        "downloadFail",
        `  - id: parallel
    type: io.kestra.plugin.core.flow.Parallel
    tasks:
      - id: notFound
        type: io.kestra.plugin.core.http.Download
        uri: BASE/missing
      - id: empty
        type: io.kestra.plugin.core.http.Download
        uri: BASE/empty
`,
      ),
    );
    expect(errors(x, "notFound")).toEqual(["Failed http request with response code '404': not here"]);
    expect(errors(x, "empty")).toEqual([`No response from server: '${base}/empty' returned an empty body`]);
  });

  it("names the stored file saveAs, over Content-Disposition and the URI", async () => {
    const x = await t.run(
      flow(
        "downloadSaveAs",
        `  - id: csv
    type: io.kestra.plugin.core.http.Download
    uri: BASE/file.csv
    saveAs: "orders-{{ execution.id | length > 0 }}.csv"
  - id: named
    type: io.kestra.plugin.core.http.Download
    uri: BASE/named
    saveAs: mine.txt
  - id: again
    type: io.kestra.plugin.core.http.Download
    uri: BASE/named
    saveAs: mine.txt
`,
      ),
    );
    expect(x.state.current).toBe("SUCCESS");
    expect(String(out(x, "csv").uri)).toMatch(/\/tasks\/csv\/[^/]+\/orders-true\.csv$/);
    expect(await read(out(x, "csv").uri)).toBe("a,b\n1,2\n");
    expect(String(out(x, "named").uri)).toMatch(/\/tasks\/named\/[^/]+\/mine\.txt$/);
    expect(await read(out(x, "named").uri)).toBe("report");
    expect(out(x, "again").uri).not.toBe(out(x, "named").uri);
  });

  it.each(["../escape.csv", "a/b.csv", "..", ""])("refuses saveAs '%s', which is not a file name", async (saveAs) => {
    const x = await t.run(
      flow(
        `downloadBadSaveAs${saveAs.length}`,
        `  - id: bad
    type: io.kestra.plugin.core.http.Download
    uri: BASE/file.csv
    saveAs: "${saveAs}"
`,
      ),
    );
    expect(x.state.current).toBe("FAILED");
    expect(errors(x, "bad")).toEqual([
      `saveAs must be a file name, without '/' or '\\' and other than '.' or '..', got '${saveAs}'`,
    ]);
  });

  it("reads file names from Content-Disposition", () => {
    expect(filenameFromDisposition('attachment; filename="a.csv"')).toBe("a.csv");
    expect(filenameFromDisposition("attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf")).toBe("résumé.pdf");
    expect(filenameFromDisposition("attachment; filename=/etc/passwd")).toBe("passwd");
    expect(filenameFromDisposition("inline")).toBeUndefined();
  });
});
