import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestInstance, sdkDir } from "@saker/engine/testing";
import { compileBasicAuth } from "../auth/basicAuth.ts";
import { hashPassword } from "../auth/passwordHash.ts";
import { ServerContext } from "../context.ts";
import { startServer } from "../index.ts";
import { API_ROUTES } from "../routes/index.ts";
import { buildApp } from "../server.ts";
import { json, postYaml, startTestApi, terminated, waitForExecution, type TestApi } from "./testApi.ts";

const basic = (user: string, password: string) => ({
  Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`,
});

describe("health", () => {
  it("answers 503 until the instance is open, then 200; other routes say SERVER_STARTING meanwhile", async () => {
    const test = await openTestInstance();
    let open!: (value: typeof test.instance) => void;
    const opening = new Promise<typeof test.instance>((resolve) => (open = resolve));
    const server = await startServer(opening, { port: 0, settings: test.instance.config.server });
    try {
      for (const path of ["/health", "/api/v1/health"]) {
        const starting = await fetch(`${server.url}${path}`);
        expect(starting.status).toBe(503);
        expect(await json(starting)).toMatchObject({ status: "DOWN" });
      }
      const route = await fetch(`${server.url}/api/v1/flows/search`);
      expect(route.status).toBe(503);
      expect(await json(route)).toEqual({ message: "The server is starting", code: "SERVER_STARTING" });
      open(test.instance);
      await opening;
      expect(await json(await fetch(`${server.url}/health`))).toEqual({
        status: "UP",
        roles: {
          executor: { state: "RUNNING", inFlight: expect.any(Number), stepsRedone: 0 },
          worker: { state: "RUNNING", inFlight: 0 },
          scheduler: { state: "INITIALIZED", inFlight: 0 },
        },
      });
      // a role that stopped says so
      await test.instance.worker.stop();
      expect(await json(await fetch(`${server.url}/health`))).toMatchObject({
        status: "UP",
        roles: { worker: { state: "STOPPED" } },
      });
      expect((await fetch(`${server.url}/api/v1/flows/search`)).status).toBe(200);
    } finally {
      await server.close();
      await test.close();
    }
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
  });
});

describe("basic auth", () => {
  let t: TestApi;
  let hash: string;
  beforeAll(async () => {
    hash = await hashPassword("correct horse", { N: 1024 });
    t = await startTestApi({
      overrides: { server: { basicAuth: { enabled: true, users: [{ username: "admin", passwordHash: hash }] } } },
    });
  });
  afterAll(() => t.close());

  it("asks for credentials, refuses wrong ones, accepts the configured user", async () => {
    const none = await fetch(`${t.api}/flows/search`);
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toContain("Basic");
    expect(await json(none)).toMatchObject({ code: "UNAUTHORIZED" });
    expect((await fetch(`${t.api}/flows/search`, { headers: basic("admin", "wrong") })).status).toBe(401);
    expect((await fetch(`${t.api}/flows/search`, { headers: basic("nobody", "correct horse") })).status).toBe(401);
    expect((await fetch(`${t.api}/flows/search`, { headers: { Authorization: "Bearer abc" } })).status).toBe(401);
    expect((await fetch(`${t.api}/flows/search`, { headers: basic("admin", "correct horse") })).status).toBe(200);
    expect((await fetch(`${t.url}/api/v1/main/flows/search`)).status).toBe(401);
    expect((await fetch(`${t.api}/openapi.json`)).status).toBe(401);
    expect((await fetch(`${t.api}/nothing/here`)).status).toBe(401);
  });

  it("runs a flow end to end with credentials", async () => {
    const auth = basic("admin", "correct horse");
    expect(
      (
        await postYaml(
          `${t.api}/flows`,
          "id: f\nnamespace: a\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: m\n",
          "POST",
          auth,
        )
      ).status,
    ).toBe(200);
    const x = await json(await fetch(`${t.api}/executions/a/f?wait=true`, { method: "POST", headers: auth }));
    expect(x).toMatchObject({ state: { current: "SUCCESS" } });
  });

  it("keeps health checks and webhooks open", async () => {
    expect((await fetch(`${t.url}/health`)).status).toBe(200);
    expect((await fetch(`${t.api}/health`)).status).toBe(200);
    const ctx = new ServerContext("main", 1024);
    ctx.setInstance(t.test.instance);
    const app = await buildApp(ctx, {
      auth: compileBasicAuth({ enabled: true, users: [{ username: "admin", passwordHash: hash }] }, "127.0.0.1"),
      routes: API_ROUTES,
      onInternalError: () => {},
    });
    try {
      for (const url of ["/api/v1/executions/webhook/a/f/k1", "/api/v1/main/executions/webhook/a/f/k1"]) {
        // past auth without credentials: the webhook itself answers (no such flow here)
        const response = await app.inject({ method: "POST", url });
        expect(response.statusCode, url).toBe(404);
        expect(response.json()).toMatchObject({ code: "WEBHOOK_NOT_FOUND" });
      }
      expect(
        (await app.inject({ method: "POST", url: "/api/v1/executions/webhook/../../flows/search" })).statusCode,
      ).not.toBe(200);
      expect(
        (await app.inject({ method: "GET", url: "/api/v1/executions/webhook%2F..%2F..%2Fflows/search" })).statusCode,
      ).toBe(401);
      expect((await app.inject({ method: "GET", url: "/api/v1/flows/search" })).statusCode).toBe(401);
    } finally {
      await app.close();
    }
  });

  it("refuses to listen beyond loopback without a user, and requires auth there", async () => {
    await expect(
      startServer(t.test.instance, {
        host: "0.0.0.0",
        port: 0,
        settings: { host: "0.0.0.0", port: 0, maxRequestSize: 1024, basicAuth: { users: [] } },
      }),
    ).rejects.toThrow(
      /Refusing to start: the server would listen on '0.0.0.0', beyond loopback, but no user is configured/,
    );
    const open = await startServer(t.test.instance, {
      host: "0.0.0.0",
      port: 0,
      settings: {
        host: "0.0.0.0",
        port: 0,
        maxRequestSize: 1024,
        basicAuth: { users: [{ username: "admin", passwordHash: hash }] },
      },
    });
    try {
      expect(open.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetch(`${open.url}/api/v1/flows/search`)).status).toBe(401);
      expect(
        (await fetch(`${open.url}/api/v1/flows/search`, { headers: basic("admin", "correct horse") })).status,
      ).toBe(200);
    } finally {
      await open.close();
    }
  });
});

describe("without auth on loopback", () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi({ overrides: { server: { maxRequestSize: 4096 } } });
  });
  afterAll(() => t.close());

  it("needs no credentials", async () => {
    expect((await fetch(`${t.api}/flows/search`)).status).toBe(200);
  });

  it("limits the request size, declared or streamed, multipart included", async () => {
    const big = `id: big\nnamespace: a\ndescription: "${"x".repeat(5000)}"\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: m\n`;
    const declared = await postYaml(`${t.api}/flows`, big);
    expect(declared.status).toBe(413);
    expect(await json(declared)).toMatchObject({ code: "PAYLOAD_TOO_LARGE" });
    const streamed = await fetch(`${t.api}/flows`, {
      method: "POST",
      headers: { "Content-Type": "application/x-yaml" },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(big));
          controller.close();
        },
      }),
      duplex: "half",
    } as RequestInit);
    expect(streamed.status).toBe(413);
    const data = new FormData();
    data.append("fileContent", new Blob(["y".repeat(6000)]), "big.bin");
    const upload = await fetch(`${t.api}/namespaces/a/files?path=/big.bin`, { method: "POST", body: data });
    expect(upload.status).toBe(413);
    expect((await fetch(`${t.api}/namespaces/a/files?path=/big.bin`)).status).toBe(404);
  });

  it("answers every error with the same JSON shape, never a stack", async () => {
    const unknown = await fetch(`${t.api}/nothing`);
    expect(unknown.status).toBe(404);
    expect(await json(unknown)).toEqual({ message: "No route GET /api/v1/nothing", code: "NOT_FOUND" });
    const badQuery = await fetch(`${t.api}/flows/search?page=0`);
    expect(badQuery.status).toBe(400);
    expect(await json(badQuery)).toMatchObject({ code: "BAD_REQUEST", path: "query.page" });
    const badJson = await fetch(`${t.api}/flows/disable/by-ids`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: "[{",
    });
    expect(badJson.status).toBe(400);
    expect(await json(badJson)).toEqual({ message: "The body is not valid JSON", code: "BAD_REQUEST", path: "body" });
    const badBody = await fetch(`${t.api}/flows/disable/by-ids`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify([{ id: 1 }]),
    });
    expect(badBody.status).toBe(400);
    expect((await json(badBody)).path).toMatch(/^body\.0\./);
    const media = await fetch(`${t.api}/flows`, {
      method: "POST",
      headers: { "Content-Type": "image/png" },
      body: "x",
    });
    expect(media.status).toBe(415);
    expect(await json(media)).toMatchObject({ code: "UNSUPPORTED_MEDIA_TYPE" });
  });

  it("serves the OpenAPI document and its page", async () => {
    const doc = await json<{
      openapi: string;
      paths: Record<string, Record<string, { parameters?: { name: string }[]; requestBody?: { required: boolean } }>>;
    }>(await fetch(`${t.api}/openapi.json`));
    expect(doc.openapi).toBe("3.0.3");
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/api/v1/flows",
        "/api/v1/executions/{namespace}/{id}",
        "/api/v1/executions/{executionId}/follow",
        "/api/v1/namespaces/{namespace}/kv/{key}",
        "/api/v1/plugins/{type}",
      ]),
    );
    expect(doc.paths["/api/v1/flows/search"]!.get!.parameters!.map((p) => p.name)).toEqual(
      expect.arrayContaining(["page", "size", "sort", "q", "namespace"]),
    );
    expect(doc.paths["/api/v1/executions/{namespace}/{id}"]!.post!.requestBody!.required).toBe(false);
    expect(doc.paths["/api/v1/flows"]!.post!.requestBody!.required).toBe(true);
    expect(JSON.stringify(doc)).not.toContain("x-saker");
    const page = await fetch(`${t.api}/docs/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("swagger");
  });
});

describe("plugins", () => {
  let t: TestApi;
  let work: string;
  beforeAll(async () => {
    t = await startTestApi();
    work = mkdtempSync(join(tmpdir(), "saker-plugin-api-"));
    const sdkBuilt = join(sdkDir(), "dist", "index.js");
    if (!existsSync(sdkBuilt)) throw new Error(`${sdkBuilt} is missing: build first (npx tsc -b)`);
    const sdkUrl = pathToFileURL(sdkBuilt).href;
    writeFileSync(
      join(work, "package.json"),
      JSON.stringify({
        name: "saker-plugin-api-test",
        version: "1.2.0",
        type: "module",
        saker: { entry: "./index.js" },
        peerDependencies: { "@saker/sdk": "*" },
      }),
    );
    writeFileSync(
      join(work, "index.js"),
      // The SDK by its built file: vitest makes Node resolve "@saker/sdk" to its TypeScript source.
      `import { definePlugin, defineTask, z } from "${sdkUrl}";
export const Greet = defineTask({
  type: "io.example.api.Greet",
  title: "Greet someone",
  properties: z.object({ who: z.string().describe("Who to greet.") }),
  outputs: z.object({ greeting: z.string() }),
  run: ({ who }) => ({ greeting: "hi " + who }),
});
export default definePlugin({ tasks: [Greet] });
`,
    );
  });
  afterAll(async () => {
    await t.close();
    rmSync(work, { recursive: true, force: true });
  });

  it("lists types and versions, with docs and JSON Schemas", async () => {
    const plugins = await json<{ name: string; tasks: { cls: string }[] }[]>(await fetch(`${t.api}/plugins`));
    expect(plugins.find((p) => p.name === "core")?.tasks.map((e) => e.cls)).toContain("io.kestra.plugin.core.log.Log");
    expect(await json(await fetch(`${t.api}/plugins/io.kestra.plugin.core.log.Log/versions`))).toEqual({
      type: "io.kestra.plugin.core.log.Log",
      versions: ["0.1.0"],
    });
    const doc = await json<{ markdown: string; schema: { properties: { properties: Record<string, unknown> } } }>(
      await fetch(`${t.api}/plugins/io.kestra.plugin.core.log.Log`),
    );
    expect(doc.markdown).toContain("# Log a message");
    expect(Object.keys(doc.schema.properties.properties)).toEqual(expect.arrayContaining(["message", "level"]));
    expect((await fetch(`${t.api}/plugins/io.kestra.plugin.core.log.Log/versions/0.1.0`)).status).toBe(200);
    expect((await fetch(`${t.api}/plugins/io.kestra.plugin.core.log.Log/versions/9.9.9`)).status).toBe(404);
    expect(await json(await fetch(`${t.api}/plugins/io.nope.Nope`))).toMatchObject({ code: "PLUGIN_NOT_FOUND" });
    const schema = await json<{ definitions: Record<string, unknown> }>(await fetch(`${t.api}/plugins/schemas/flow`));
    expect(Object.keys(schema.definitions)).toContain("io.kestra.plugin.core.log.Log");
  });

  it("installs a plugin version, runs it, and uninstalls it", { timeout: 120_000 }, async () => {
    const installed = await fetch(`${t.api}/plugins/install`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ plugins: [work] }),
    });
    expect(installed.status, await installed.clone().text()).toBe(200);
    expect(await json(installed)).toEqual([
      { name: "saker-plugin-api-test", version: "1.2.0", types: ["io.example.api.Greet"] },
    ]);
    expect(await json(await fetch(`${t.api}/plugins/io.example.api.Greet/versions`))).toEqual({
      type: "io.example.api.Greet",
      versions: ["1.2.0"],
    });
    expect(
      (
        await postYaml(
          `${t.api}/flows`,
          "id: greet\nnamespace: p\ntasks:\n  - id: g\n    type: io.example.api.Greet\n    who: you\n",
        )
      ).status,
    ).toBe(200);
    const x = await json(await fetch(`${t.api}/executions/p/greet`, { method: "POST" }));
    const done = await waitForExecution(t.api, String(x.id), terminated);
    expect(done.taskRunList[0].outputs).toEqual({ greeting: "hi you" });
    const again = await fetch(`${t.api}/plugins/install`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ plugins: [work] }),
    });
    expect(again.status).toBe(409);
    const removed = await fetch(`${t.api}/plugins/uninstall`, {
      method: "DELETE",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ plugins: ["saker-plugin-api-test@1.2.0"] }),
    });
    expect(await json(removed)).toEqual({ plugins: ["saker-plugin-api-test@1.2.0"] });
    expect((await fetch(`${t.api}/plugins/io.example.api.Greet/versions`)).status).toBe(404);
    expect(
      (
        await fetch(`${t.api}/plugins/uninstall`, {
          method: "DELETE",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ plugins: ["saker-plugin-api-test@1.2.0"] }),
        })
      ).status,
    ).toBe(404);
  });
});
