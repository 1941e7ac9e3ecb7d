import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorMessages, openTestInstance, outputsOf, type TestInstance } from "../../testing/testInstance.ts";
import { readSse, type SseEvent } from "./sse.ts";

let t: TestInstance;
let server: Server;
let base: string;

beforeAll(async () => {
  t = await openTestInstance();
  server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname === "/stream") {
      res.writeHead(200, { "content-type": "text/event-stream" });
      // written in pieces that split lines, as a real stream does
      res.write('id: 1\nevent: token\ndata: {"token": "Hel"');
      res.write('}\n\n: a comment\ndata: {"token": "lo"}\n\n');
      res.end('data: {"other": 1}\n\ndata: plain\r\ndata: text\r\n\r\n');
    } else if (url.pathname === "/auth") {
      res.writeHead(req.headers.authorization === "Bearer abc" ? 200 : 401, { "content-type": "text/event-stream" });
      res.end("data: ok\n\n");
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await t.close();
  await new Promise((resolve) => server.close(resolve));
});

async function parse(...chunks: string[]): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  await readSse(
    (async function* () {
      for (const chunk of chunks) yield Buffer.from(chunk);
    })(),
    (e) => events.push(e),
  );
  return events;
}

describe("SSE framing", () => {
  it("joins data lines, keeps id, event name, comments and retry, and skips events without data", async () => {
    expect(await parse('retry: 1500\nid: 7\n: note\ndata: a\ndata: b\n\nevent: x\n\ndata:{"n":1}')).toEqual([
      { data: "a\nb", id: "7", comment: "note", retry: "PT1.5S" },
      { data: { n: 1 } },
    ]);
  });
});

describe("http.SseRequest", () => {
  it("collects the events of a stream, JSON data parsed", async () => {
    const x = await t.run(`id: sse
namespace: company.team
tasks:
  - id: consume
    type: io.kestra.plugin.core.http.SseRequest
    uri: ${base}/stream
`);
    expect(x.state.current).toBe("SUCCESS");
    expect(outputsOf(x, "consume")).toEqual({
      uri: `${base}/stream`,
      size: 4,
      result: null,
      events: [
        { data: { token: "Hel" }, id: "1", name: "token" },
        { data: { token: "lo" }, comment: "a comment" },
        { data: { other: 1 } },
        { data: "plain\ntext" },
      ],
    });
    expect(t.instance.metrics.byExecution(x.id).map((m) => [m.name, m.value])).toEqual([["size", 4]]);
  });

  it("concatenates what the jq expression gives, skipping events without it when told", async () => {
    const x = await t.run(`id: sse_jq
namespace: company.team
tasks:
  - id: consume
    type: io.kestra.plugin.core.http.SseRequest
    uri: ${base}/stream
    concatJqExpression: .data.token
    failedOnMissingJq: false
  - id: auth
    type: io.kestra.plugin.core.http.SseRequest
    uri: ${base}/auth
    options:
      auth:
        type: BEARER
        token: abc
`);
    expect(x.state.current).toBe("SUCCESS");
    expect(outputsOf(x, "consume")).toMatchObject({ result: "Hello", events: null, size: 4 });
    expect(outputsOf(x, "auth")).toMatchObject({ size: 1, events: [{ data: "ok" }] });
  });

  it("fails on an event the jq expression gives no text for, and on a refused status", async () => {
    const x = await t.run(`id: sse_bad
namespace: company.team
tasks:
  - id: parallel
    type: io.kestra.plugin.core.flow.Parallel
    tasks:
      - id: missing
        type: io.kestra.plugin.core.http.SseRequest
        uri: ${base}/stream
        concatJqExpression: .data.token
      - id: refused
        type: io.kestra.plugin.core.http.SseRequest
        uri: ${base}/auth
`);
    expect(x.state.current).toBe("FAILED");
    expect(errorMessages(t, x, "missing").at(-1)).toMatch(
      /^Failed to resolve JQ expression '\.data\.token' and value '\{"data":\{"other":1\}\}': Expected text value from JQ expression but got: NULL$/,
    );
    expect(errorMessages(t, x, "refused").at(-1)).toMatch(/^Failed http request with response code '401'/);
  });

  it("refuses a flow without uri, naming the flow and the YAML path", () => {
    expect(() =>
      t.instance.flows.deploy(`id: sse_invalid
namespace: company.team
tasks:
  - id: consume
    type: io.kestra.plugin.core.http.SseRequest
    concatJqExpression: .data
`),
    ).toThrow(/Flow 'company.team\/sse_invalid' is invalid: tasks\[0\]\.uri/);
  });
});
