/**
 * Routes declare their `params`, `query`, `body` and `response` schemas (zod) next to the
 * handler. The schemas validate requests here (a 400 naming the bad parameter) and are turned into
 * JSON Schema for the OpenAPI document; fastify's own validator and serializer are not used, so
 * responses keep every field of Kestra's shapes.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from "fastify";
import { z } from "@saker/sdk";
import type { ServerContext } from "../context.ts";
import { badRequest } from "./errors.ts";
import { hasInvalidJson } from "./rawBody.ts";

type Json = Record<string, unknown>;

export interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  request: FastifyRequest;
  reply: FastifyReply;
  ctx: ServerContext;
}

/** A response documented without a zod schema (a file, a YAML text, a stream). */
export interface RawResponse {
  description: string;
  contentType: string;
  /** JSON Schema of the content; a binary string by default. */
  schema?: Json;
}

export interface RouteSpec<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  method: HTTPMethods;
  url: string;
  summary: string;
  description?: string;
  tags: string[];
  params?: P;
  query?: Q;
  /** A JSON body, validated; YAML and text bodies are `z.string()`. */
  body?: B;
  /** Content types of the body, for the OpenAPI document (default application/json). */
  consumes?: string[];
  /** The body as documented when it is not validated here (multipart parts). */
  bodyDoc?: Json;
  /** The body may be left out (documented as not required). */
  bodyOptional?: boolean;
  /** Reachable without credentials (health, webhooks). */
  public?: boolean;
  response: Record<number, z.ZodType | RawResponse | null>;
  handler(input: RouteInput<z.output<P>, z.output<Q>, z.output<B>>): Promise<unknown>;
}

/** A route whose generic parameters were checked by `defineRoute`. */
export interface AnyRoute {
  method: HTTPMethods;
  url: string;
  summary: string;
  description?: string;
  tags: string[];
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  consumes?: string[];
  bodyDoc?: Json;
  bodyOptional?: boolean;
  public?: boolean;
  response: Record<number, z.ZodType | RawResponse | null>;
  handler(input: RouteInput<unknown, unknown, unknown>): Promise<unknown>;
}

export function defineRoute<
  P extends z.ZodType = z.ZodObject,
  Q extends z.ZodType = z.ZodObject,
  B extends z.ZodType = z.ZodUnknown,
>(spec: RouteSpec<P, Q, B>): AnyRoute {
  return spec as unknown as AnyRoute;
}

/** Marks an operation whose body may be left out (read back by {@link markOptionalBodies}). */
const BODY_OPTIONAL = "x-saker-body-optional";

/** @fastify/swagger says every body is required; these are not. */
export function markOptionalBodies(document: Json): Json {
  for (const path of Object.values((document.paths ?? {}) as Record<string, Record<string, Json>>)) {
    for (const operation of Object.values(path)) {
      if (!operation[BODY_OPTIONAL]) continue;
      delete operation[BODY_OPTIONAL];
      if (operation.requestBody) (operation.requestBody as Json).required = false;
    }
  }
  return document;
}

/** Made once per schema and side: the routes are registered twice (with and without a tenant) and share schemas. */
const jsonSchemas = { input: new WeakMap<z.ZodType, Json>(), output: new WeakMap<z.ZodType, Json>() };

/** JSON Schema (OpenAPI 3.0 flavour) of a zod schema, for documentation only; do not change it. */
export function jsonSchemaOf(schema: z.ZodType, io: "input" | "output"): Json {
  let json = jsonSchemas[io].get(schema);
  if (!json) {
    try {
      json = z.toJSONSchema(schema, { io, target: "openapi-3.0", unrepresentable: "any" }) as Json;
      delete json.$schema;
    } catch {
      json = {};
    }
    jsonSchemas[io].set(schema, json);
  }
  return json;
}

function isZod(value: unknown): value is z.ZodType {
  return typeof value === "object" && value !== null && "_zod" in value;
}

function responseDocs(response: AnyRoute["response"]): Json {
  const out: Json = {};
  for (const [status, schema] of Object.entries(response)) {
    if (schema === null) out[status] = { description: "No content", type: "null" };
    else if (isZod(schema))
      out[status] = { description: schema.description ?? "Success", ...jsonSchemaOf(schema, "output") };
    else
      out[status] = {
        description: schema.description,
        content: { [schema.contentType]: { schema: schema.schema ?? { type: "string", format: "binary" } } },
      };
  }
  return out;
}

/** The fastify `schema` of a route: documentation for @fastify/swagger. */
export function routeSchema(route: AnyRoute, hidden: boolean): Json {
  const schema: Json = { summary: route.summary, tags: route.tags, response: responseDocs(route.response) };
  if (route.description) schema.description = route.description;
  if (route.params) schema.params = jsonSchemaOf(route.params, "input");
  if (route.query) schema.querystring = jsonSchemaOf(route.query, "input");
  if (route.bodyDoc) schema.body = route.bodyDoc;
  else if (route.body) schema.body = jsonSchemaOf(route.body, "input");
  if (route.consumes) schema.consumes = route.consumes;
  if (route.bodyOptional) schema[BODY_OPTIONAL] = true;
  if (hidden) schema.hide = true;
  return schema;
}

/** Parses one part of a request; a failure names the parameter (`query.size`). */
export function parsePart<T>(schema: z.ZodType<T> | undefined, value: unknown, where: "params" | "query" | "body"): T {
  if (!schema) return value as T;
  const result = schema.safeParse(value ?? (where === "body" ? undefined : {}));
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({
    path: [where, ...i.path.map(String)].join("."),
    message: i.message,
  }));
  const first = issues[0]!;
  const message =
    where === "body" && first.path === "body"
      ? `Invalid body: ${first.message}`
      : `Invalid ${first.path}: ${first.message}`;
  throw badRequest(message, first.path, { issues });
}

/** Registers routes on a fastify scope (the scope's prefix is `/api/v1` or `/api/v1/{tenant}`). */
/**
 * Answers of these routes carry execution data (outputs, inputs, labels, logs, trigger variables):
 * they are shown with secrets masked (see `SecretGuard.display`).
 */
const MASKED_TAGS = new Set(["Executions", "Logs", "Triggers"]);

const START_EXECUTION = "/executions/:namespace/:id";
const VALIDATE_EXECUTION = "/executions/:namespace/:id/validate";
const EXECUTION_ACTION = /^\/executions\/:executionId\/([a-z-]+)$/;
const VALIDATE_ACTION = /^\/executions\/:executionId\/([a-z-]+)\/validate$/;

/**
 * Kestra's `POST /executions/{namespace}/{id}` (start a flow) and its single actions
 * `POST /executions/{executionId}/{action}` share one shape: a flow named like an action
 * (`restart`, `pause`…) in a namespace that is no execution id is started, not acted on. The same
 * holds for `POST /executions/{namespace}/{id}/validate` and `…/{executionId}/resume/validate`.
 */
function startsFlowNamedLikeAction(declared: AnyRoute, routes: readonly AnyRoute[]) {
  // Resolved once per route at registration: only single execution actions get a fallback.
  if (declared.method !== "POST") return undefined;
  const single = EXECUTION_ACTION.exec(declared.url)?.[1];
  const validating = VALIDATE_ACTION.exec(declared.url)?.[1];
  const action = single ?? validating;
  const targetUrl = single ? START_EXECUTION : VALIDATE_EXECUTION;
  const start = routes.find((r) => r.method === "POST" && r.url === targetUrl);
  if (!action || !start) return undefined;
  return async (
    request: FastifyRequest,
    ctx: ServerContext,
  ): Promise<{ route: AnyRoute; params: unknown } | undefined> => {
    const executionId = (request.params as { executionId?: string }).executionId;
    if (!executionId || !ctx.ready) return undefined;
    const flow = ctx.instance.flows.stored(executionId, action);
    // an execution (deleted or not) with this id is acted on
    if (!flow || flow.deleted || (await ctx.api.executions.status(executionId))) return undefined;
    return { route: start, params: { ...(request.params as object), namespace: executionId, id: action } };
  };
}

export function registerRoutes(
  app: FastifyInstance,
  routes: readonly AnyRoute[],
  ctx: ServerContext,
  hidden: boolean,
): void {
  for (const declared of routes) {
    const fallback = startsFlowNamedLikeAction(declared, routes);
    app.route({
      method: declared.method,
      url: declared.url,
      schema: routeSchema(declared, hidden),
      config: { public: declared.public === true },
      handler: async (request, reply) => {
        const { route, params: rawParams } = (await fallback?.(request, ctx)) ?? {
          route: declared,
          params: request.params,
        };
        const masked = route.tags.some((tag) => MASKED_TAGS.has(tag));
        const params = parsePart(route.params, rawParams, "params");
        const query = parsePart(route.query, request.query, "query");
        if (route.body && hasInvalidJson(request)) throw badRequest("The body is not valid JSON", "body");
        const body = parsePart(route.body, request.body, "body");
        const result = await route.handler({ params, query, body, request, reply, ctx });
        // a reply given a stream is not sent yet: it is the answer, not data to show
        if (reply.sent || result === reply) return reply;
        if (result === undefined) return reply.send();
        return masked ? ctx.instance.secretGuard.display(result) : result;
      },
    });
  }
}
