/**
 * Namespaces: they exist through their flows (and their children's), as in Kestra's open-source
 * edition: `company.team` with a flow gives `company` and `company.team`.
 */
import { z } from "@saker/sdk";
import { notFound } from "../http/errors.ts";
import { paginate, pagedSchema, pagingShape } from "../http/paging.ts";
import { defineRoute, type AnyRoute } from "../http/route.ts";
import { errors } from "../openapi/schemas.ts";
import { NamespaceParams } from "./namespaceFiles.ts";

const TAGS = ["Namespaces"];
const NamespaceSchema = z.object({ id: z.string(), deleted: z.boolean() });

const search = defineRoute({
  method: "GET",
  url: "/namespaces/search",
  summary: "Search namespaces",
  tags: TAGS,
  query: z.looseObject({ ...pagingShape(10), q: z.string().optional(), existing: z.string().optional() }),
  response: { 200: pagedSchema(NamespaceSchema) },
  async handler({ query, ctx }) {
    // The distinct namespaces come from the database; the list (a namespace per team or project,
    // not per execution) is filtered and paged here.
    const found = (await ctx.api.flows.namespaces()).filter(
      (n) => !query.q || n.toLowerCase().includes(query.q.toLowerCase()),
    );
    const page = paginate(
      query.sort?.some((s) => s.endsWith(":desc")) ? found.reverse() : found,
      query.page,
      query.size,
    );
    return { total: page.total, results: page.results.map((id) => ({ id, deleted: false })) };
  },
});

const get = defineRoute({
  method: "GET",
  url: "/namespaces/:namespace",
  summary: "Get a namespace",
  tags: TAGS,
  params: NamespaceParams,
  response: { 200: NamespaceSchema, ...errors(404) },
  async handler({ params, ctx }) {
    if (!(await ctx.api.flows.namespaces()).includes(params.namespace))
      throw notFound("NAMESPACE_NOT_FOUND", `Namespace '${params.namespace}' not found`);
    return { id: params.namespace, deleted: false };
  },
});

export const namespaceRoutes: AnyRoute[] = [search, get];
