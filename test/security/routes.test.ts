/**
 * Kestra's literal paths never reach Saker's generic routes. Walks Kestra's route list
 * (test/fixtures/kestra-routes.json), fills each template with sample values and sends it to a
 * real server, under `/api/v1` and `/api/v1/{tenant}`: the route that answers must have the same
 * template as Kestra's (the test records which one answered). A path Saker does not serve answers
 * 501 NOT_IMPLEMENTED naming it. Before the fix, `POST /executions/restart/by-ids` started the flow
 * `by-ids` of the namespace `restart`, `DELETE /executions/by-query` was read as an execution id
 * and `GET /plugins/icons` as a plugin type.
 */
import { readFileSync } from "node:fs";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { coreRegistry, openTestInstance, type TestInstance } from "@saker/engine/testing";
import { ServerContext } from "../../packages/server/src/context.ts";
import { buildApp } from "../../packages/server/src/server.ts";

interface KestraRoute {
  method: string;
  path: string;
  controller: string;
}

const KESTRA: KestraRoute[] = (
  JSON.parse(readFileSync(new URL("../fixtures/kestra-routes.json", import.meta.url), "utf8")) as {
    routes: KestraRoute[];
  }
).routes;
const ROUTE_HEADER = "x-test-route";

/** A template with its parameter names left out: `/executions/{}/kill`. */
const shape = (path: string) => path.replace(/:[A-Za-z0-9_]+|\{[^}]+\}/g, "{}");
const fill = (path: string) => path.replace(/\{([^}]+)\}/g, (_m, name: string) => `sample-${name.toLowerCase()}`);

let test: TestInstance;
let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  test = await openTestInstance({ registry: coreRegistry() });
  const ctx = new ServerContext("main", 10_000_000);
  ctx.setInstance(test.instance);
  app = await buildApp(ctx, { auth: { enabled: false, users: new Map() }, onInternalError: () => {} });
  // Records which route answered (the test's own hook, not the server's).
  app.addHook("onSend", async (request, reply) => {
    reply.header(ROUTE_HEADER, request.routeOptions.url ?? "none");
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const address = app.server.address();
  base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
}, 30_000);

afterAll(async () => {
  await app?.close();
  await test?.close();
});

async function send(
  method: string,
  path: string,
): Promise<{ status: number; route: string; body: Record<string, unknown> | undefined }> {
  const withBody = ["POST", "PUT", "PATCH"].includes(method);
  const response = await fetch(`${base}${path}`, {
    method,
    ...(withBody ? { headers: { "content-type": "application/json" }, body: "{}" } : {}),
    signal: AbortSignal.timeout(10_000),
  });
  const route = response.headers.get(ROUTE_HEADER) ?? "";
  let body: Record<string, unknown> | undefined;
  if ((response.headers.get("content-type") ?? "").includes("application/json"))
    body = (await response.json()) as Record<string, unknown>;
  else await response.body?.cancel();
  return { status: response.status, route, body };
}

describe("Kestra's route list", () => {
  it("comes from Kestra's controllers and holds the literal paths of the issue", () => {
    expect(KESTRA.length).toBeGreaterThan(150);
    const keys = KESTRA.map((r) => `${r.method} ${r.path}`);
    for (const k of [
      "POST /executions/restart/by-ids",
      "DELETE /executions/by-query",
      "GET /plugins/icons",
      "GET /executions/namespaces",
      "GET /configs",
    ])
      expect(keys).toContain(k);
  });

  for (const prefix of ["/api/v1", "/api/v1/main"]) {
    it(`every path under ${prefix} reaches the route with its own template, never a generic one`, async () => {
      const wrong: string[] = [];
      for (const route of KESTRA) {
        const { status, route: answered, body } = await send(route.method, `${prefix}${fill(route.path)}`);
        const expected = `${prefix}${shape(route.path)}`;
        if (shape(answered) !== expected) wrong.push(`${route.method} ${route.path} → ${answered} (${status})`);
        else if (
          status === 501 &&
          (body?.code !== "NOT_IMPLEMENTED" || !String(body?.message).includes(`${route.method} /api/v1${route.path}`))
        ) {
          wrong.push(`${route.method} ${route.path}: 501 without naming the path: ${JSON.stringify(body)}`);
        }
      }
      expect(wrong).toEqual([]);
    }, 120_000);
  }
});

describe("the paths of the issue", () => {
  it("POST /executions/restart/by-ids does not start the flow `by-ids` of the namespace `restart`", async () => {
    await test.instance.deploy(
      "id: by-ids\nnamespace: restart\ntasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: started\n",
    );
    const response = await fetch(`${base}/api/v1/executions/restart/by-ids`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(["unknown-id"]),
    });
    expect(response.headers.get(ROUTE_HEADER)).toBe("/api/v1/executions/restart/by-ids");
    expect(response.status).toBe(400);
    expect(((await response.json()) as { code: string }).code).toBe("BULK_INVALID");
    const list = (await (await fetch(`${base}/api/v1/executions?namespace=restart&flowId=by-ids`)).json()) as {
      total: number;
    };
    expect(list.total).toBe(0);
  });

  it("DELETE /executions/by-query, GET /plugins/icons and GET /executions/namespaces are not read as an id or a type", async () => {
    const deleted = await send("DELETE", "/api/v1/executions/by-query?namespace=nothing.here");
    expect({ status: deleted.status, route: deleted.route, body: deleted.body }).toEqual({
      status: 200,
      route: "/api/v1/executions/by-query",
      body: { count: 0 },
    });
    const icons = await send("GET", "/api/v1/plugins/icons");
    expect({ status: icons.status, route: icons.route }).toEqual({ status: 200, route: "/api/v1/plugins/icons" });
    const namespaces = await send("GET", "/api/v1/executions/namespaces");
    expect({ status: namespaces.status, route: namespaces.route }).toEqual({
      status: 200,
      route: "/api/v1/executions/namespaces",
    });
  });

  it("GET /configs answers Kestra's configuration shape", async () => {
    for (const path of ["/api/v1/configs", "/api/v1/main/configs"]) {
      const response = await fetch(`${base}${path}`);
      expect(response.status).toBe(200);
      const config = await response.json();
      expect(config).toMatchObject({
        edition: "OSS",
        version: expect.any(String),
        uuid: expect.stringMatching(/^[0-9a-f-]{36}$/),
        isTaskRunEnabled: false,
        isTemplateEnabled: false,
        isAnonymousUsageEnabled: false,
        systemNamespace: "system",
        hiddenLabelsPrefixes: [],
        preview: { initial: expect.any(Number), max: expect.any(Number) },
      });
    }
  });

  it("an empty `filters` parameter (Kestra's JavaScript client) is no filter", async () => {
    for (const path of [
      "/api/v1/executions/search?filters=",
      "/api/v1/flows/search?filters=",
      "/api/v1/logs/search?filters=&page=1",
    ]) {
      const response = await fetch(`${base}${path}`);
      expect({ path, status: response.status }).toEqual({ path, status: 200 });
    }
  });
});
