import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json, startTestApi, type TestApi } from "./testApi.ts";

let t: TestApi;
beforeAll(async () => {
  t = await startTestApi({ scheduler: true });
});
afterAll(() => t.close());

describe("GET /cluster", () => {
  it("lists this process alone on the embedded database, with its roles and state", async () => {
    for (const url of [`${t.api}/cluster`, `${t.api.replace(/\/api\/v1$/, "")}/api/v1/main/cluster`]) {
      const response = await fetch(url);
      expect(response.status, url).toBe(200);
      const body = await json<{ total: number; results: Record<string, unknown>[] }>(response);
      expect(body.total).toBe(1);
      expect(body.results[0]).toMatchObject({
        roles: ["executor", "worker", "scheduler"],
        state: "RUNNING",
        pid: process.pid,
        workerGroup: null,
      });
    }
  });

  it("is described in the OpenAPI document", async () => {
    const spec = await json<{ paths: Record<string, Record<string, { summary?: string }>> }>(
      await fetch(`${t.api}/openapi.json`),
    );
    expect(spec.paths["/api/v1/cluster"]?.get?.summary).toMatch(/processes of the cluster/);
  });
});
