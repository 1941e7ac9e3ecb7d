/**
 * Bad paging, sort and filter parameters on the search routes: a 400 with a clear message naming
 * the parameter, and never a page of results.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json, postYaml, startTestApi, type TestApi } from "./testApi.ts";

let t: TestApi;
beforeAll(async () => {
  t = await startTestApi();
  for (const id of ["alpha", "beta", "gamma"])
    expect(
      (
        await postYaml(
          `${t.api}/flows`,
          `id: ${id}\nnamespace: search.params\ntasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n`,
        )
      ).status,
    ).toBe(200);
});
afterAll(() => t.close());

const SEARCHES = ["/flows/search", "/executions/search", "/logs/search"];

describe("search parameters at the REST layer", () => {
  it.each(SEARCHES)("%s refuses page 0 and a size over the maximum with a 400 naming the parameter", async (path) => {
    const page0 = await fetch(`${t.api}${path}?page=0`);
    expect(page0.status).toBe(400);
    const body = await json(page0);
    expect(body).toMatchObject({ code: "BAD_REQUEST", path: "query.page" });
    expect(body.message).toMatch(/page/);
    expect(body.message).not.toMatch(/[{}]|yaml/i);
    const big = await fetch(`${t.api}${path}?size=10001`);
    expect(big.status).toBe(400);
    expect(await json(big)).toMatchObject({ code: "BAD_REQUEST", path: "query.size" });
  });

  it.each(SEARCHES)("%s refuses an unknown sort field, naming the known ones", async (path) => {
    const res = await fetch(`${t.api}${path}?sort=${encodeURIComponent("colour:asc")}`);
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body).toMatchObject({ code: "SEARCH_INVALID", path: "sort" });
    expect(body.message).toMatch(/^Invalid sort field 'colour'; expected one of /);
  });

  it("refuses a sort field written as SQL, and a bad direction", async () => {
    const injected = await fetch(`${t.api}/flows/search?sort=${encodeURIComponent("id;DROP TABLE flows:asc")}`);
    expect(injected.status).toBe(400);
    const direction = await fetch(`${t.api}/flows/search?sort=id:sideways`);
    expect(direction.status).toBe(400);
    expect((await json(direction)).message).toBe("Invalid sort direction 'sideways'; expected asc or desc");
    const flows = await json(await fetch(`${t.api}/flows/search?namespace=search.params`));
    expect(flows.total).toBe(3);
  });

  it("pages, sorts and counts in the database", async () => {
    const page = await json(await fetch(`${t.api}/flows/search?namespace=search.params&sort=id:desc&size=2&page=1`));
    expect(page.total).toBe(3);
    expect(page.results.map((f: { id: string }) => f.id)).toEqual(["gamma", "beta"]);
    const last = await json(await fetch(`${t.api}/flows/search?namespace=search.params&sort=id:desc&size=2&page=2`));
    expect(last.results.map((f: { id: string }) => f.id)).toEqual(["alpha"]);
    const past = await json(await fetch(`${t.api}/flows/search?namespace=search.params&size=2&page=9`));
    expect(past).toEqual({ results: [], total: 3 });
  });

  it("refuses a filter on an unknown field or with a bad operation", async () => {
    const field = await fetch(`${t.api}/executions/search?filters[colour][EQUALS]=red`);
    expect(field.status).toBe(400);
    expect(await json(field)).toMatchObject({ code: "SEARCH_INVALID", path: "filters[colour]" });
    const op = await fetch(`${t.api}/executions/search?filters[state][LIKE]=x`);
    expect(op.status).toBe(400);
    expect(await json(op)).toMatchObject({ code: "BAD_REQUEST", path: "query.filters[state][LIKE]" });
    const regex = await fetch(
      `${t.api}/logs/search?filters[q][EQUALS]=x&filters[flowId][REGEX]=${encodeURIComponent("(a")}`,
    );
    expect(regex.status).toBe(400);
    expect((await json(regex)).message).toMatch(/^Invalid REGEX filter/);
  });
});
