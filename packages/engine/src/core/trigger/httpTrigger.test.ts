import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger, TriggerContext } from "@saker/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { coreRegistry } from "../../runtime/registryLoader.ts";
import { pathRenderer } from "../../scheduler/__tests__/support.ts";
import { Trigger } from "../http/trigger.ts";

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

let server: Server;
let base: string;
const seen: Seen[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", () => {
      seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
      if (req.url === "/redirect") {
        res.writeHead(302, { location: "/price" }).end();
      } else if (req.url === "/price") {
        res.writeHead(200, { "content-type": "application/json", "x-multi": ["a", "b"] }).end('{"price": 99}');
      } else {
        res.writeHead(503).end("down");
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function context(): TriggerContext {
  const logger = {
    debug: () => {},
    info: () => {},
    warn: () => {},
    error: () => {},
    trace: () => {},
    log: () => {},
  } as Logger;
  // Only what the trigger reads: rendering (with the response as an extra variable), the signal and a logger.
  return {
    flow: { id: "poll", namespace: "company.team" },
    trigger: { id: "http", type: Trigger.type },
    logger,
    signal: new AbortController().signal,
    render: async (template: string, extra?: Record<string, unknown>) =>
      String(await pathRenderer.render(template, { ...extra }, false)),
  } as unknown as TriggerContext;
}

const evaluate = (props: Record<string, unknown>) => Trigger.evaluate!(Trigger.properties.parse(props), context());

describe("http.Trigger", () => {
  it("starts an execution when the default condition holds (status < 400), with the response as variables", async () => {
    const event = await evaluate({ uri: `${base}/price` });
    expect(event?.variables).toEqual({
      uri: `${base}/price`,
      code: 200,
      headers: expect.objectContaining({ "content-type": ["application/json"], "x-multi": ["a", "b"] }),
      body: '{"price": 99}',
    });
    expect(await evaluate({ uri: `${base}/down` })).toBeUndefined();
  });

  it("renders responseCondition with response.statusCode, body and headers", async () => {
    expect(
      await evaluate({ uri: `${base}/down`, responseCondition: "{{ response.statusCode == 503 }}" }),
    ).toBeDefined();
    expect(
      await evaluate({ uri: `${base}/price`, responseCondition: "{{ response.statusCode >= 300 }}" }),
    ).toBeUndefined();
    expect(await evaluate({ uri: `${base}/price`, responseCondition: "{{ response.body }}" })).toBeDefined();
  });

  it("sends the method, body, headers, content type and basic authentication", async () => {
    seen.length = 0;
    await evaluate({
      uri: `${base}/price`,
      method: "POST",
      body: '{"q":1}',
      contentType: "application/json",
      headers: { "X-Request": "abc" },
      options: { basicAuthUser: "me", basicAuthPassword: "secret" },
    });
    expect(seen[0]).toMatchObject({ method: "POST", body: '{"q":1}' });
    expect(seen[0]!.headers).toMatchObject({
      "content-type": "application/json",
      "x-request": "abc",
      authorization: `Basic ${Buffer.from("me:secret").toString("base64")}`,
    });
  });

  it("sends form data URL-encoded", async () => {
    seen.length = 0;
    await evaluate({ uri: `${base}/price`, method: "PUT", formData: { a: "1", b: { c: 2 } } });
    expect(seen[0]).toMatchObject({ method: "PUT", body: "a=1&b=%7B%22c%22%3A2%7D" });
    expect(seen[0]!.headers["content-type"]).toBe("application/x-www-form-urlencoded");
  });

  it("follows redirects unless told not to", async () => {
    expect((await evaluate({ uri: `${base}/redirect` }))?.variables.code).toBe(200);
    expect(
      (
        await evaluate({
          uri: `${base}/redirect`,
          options: { followRedirects: false },
          responseCondition: "{{ response.statusCode == 302 }}",
        })
      )?.variables.code,
    ).toBe(302);
  });

  it("keeps the body out of the variables with encryptBody, the condition still sees it", async () => {
    const event = await evaluate({
      uri: `${base}/price`,
      encryptBody: true,
      responseCondition: "{{ response.body != '' }}",
    });
    expect(event?.variables).not.toHaveProperty("body");
    expect(event?.variables.code).toBe(200);
  });

  it("polls every 60 seconds by default and answers to its old name", () => {
    expect(Trigger.properties.parse({ uri: "http://x" }).interval).toBe(60_000);
    expect(Trigger.properties.parse({ uri: "http://x", interval: "PT5S" }).interval).toBe(5_000);
    expect(Trigger.triggerKind).toBe("polling");
    expect(coreRegistry().resolve("io.kestra.plugin.fs.http.Trigger").type).toBe("io.kestra.plugin.core.http.Trigger");
  });
});
