/**
 * The fastify application: body parsers, multipart, basic auth, the error shape, health, the
 * route table on `/api/v1` and `/api/v1/{tenant}`, and the OpenAPI document with its browsable
 * page (`/api/v1/openapi.json`, `/api/v1/docs`).
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import multipart from "@fastify/multipart";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import { asDiskFull } from "@saker/engine";
import { basicAuthHook, type BasicAuth } from "./auth/basicAuth.ts";
import type { ServerContext } from "./context.ts";
import { ApiError, toErrorResponse } from "./http/errors.ts";
import { registerBodyParsers } from "./http/rawBody.ts";
import { markOptionalBodies, registerRoutes, type AnyRoute } from "./http/route.ts";
import { registerUi } from "./http/ui.ts";
import { API_ROUTES } from "./routes/index.ts";

export interface AppOptions {
  auth: BasicAuth;
  /** The route table (default: every API route). */
  routes?: readonly AnyRoute[];
  /** The built web UI served at /ui (`findUiDir()`); undefined: /ui says it is not built. */
  uiDir?: string | undefined;
  /** Receives 5xx causes (never sent to clients). */
  onInternalError(error: unknown, request: FastifyRequest): void;
}

const DESCRIPTION = [
  "Saker's REST API: Kestra's `/api/v1/...` paths and JSON shapes.",
  "",
  "Every route is also served under the tenant prefix `/api/v1/{tenant}/...` (`/api/v1/main/...`), not repeated here.",
  "Lists take `page` (from 1), `size` and `sort=field:asc|desc` and answer `{results, total}`; searches take `filters[field][OPERATION]=value`.",
  "Errors answer `{message, code, path?, details?}`. Basic auth applies when configured (always beyond loopback); `/health` and webhooks need none.",
].join("\n");

/** An error answer; its message may quote a rendered value (an invalid input), so secrets are masked. */
function sendError(
  error: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
  ctx: ServerContext,
  onInternal: AppOptions["onInternalError"],
): FastifyReply {
  const { status, body, internal } = toErrorResponse(error);
  if (internal !== undefined) onInternal(internal, request);
  const shown = ctx.ready ? ctx.instance.secretGuard.masker().maskValue(body) : body;
  // An answer given before the request body was read (a 413, a refused login…) ends the
  // connection: what follows on it is the rest of that body, not the next request.
  if (!request.raw.complete) reply.header("connection", "close");
  return reply.code(status).type("application/json; charset=utf-8").send(JSON.stringify(shown));
}

/** Rejects a declared body over the limit before reading it (multipart included). */
function sizeGuard(limit: number) {
  // a callback hook, not an async one: every request passes it, and a promise costs each a turn
  return (request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void) => {
    const length = Number(request.headers["content-length"] ?? 0);
    if (length <= limit) return done();
    done(
      new ApiError(
        413,
        "PAYLOAD_TOO_LARGE",
        `The request is larger than the limit of ${limit} bytes (server.maxRequestSize)`,
      ),
    );
  };
}

function registerHealth(app: FastifyInstance, ctx: ServerContext): void {
  for (const url of ["/health", "/api/v1/health"]) {
    app.get(
      url,
      {
        config: { public: true },
        schema: {
          summary:
            "Liveness and readiness: 200 once the server takes work (with each role's state), 503 before and while stopping",
          tags: ["Health"],
        },
      },
      async (_request, reply) =>
        ctx.ready
          ? { status: "UP", roles: ctx.instance.status() }
          : reply.code(503).send({ status: "DOWN", message: "The server is starting or stopping" }),
    );
  }
}

export async function buildApp(ctx: ServerContext, options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    bodyLimit: ctx.maxRequestSize,
    forceCloseConnections: true,
    return503OnClosing: true,
  });
  // Routes validate with their zod schemas and send JSON as it is: the JSON Schemas given to
  // fastify only document them.
  app.setValidatorCompiler(() => () => true);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  registerBodyParsers(app);
  await app.register(multipart, {
    limits: { fileSize: ctx.maxRequestSize, fieldSize: ctx.maxRequestSize, files: 100, parts: 1000 },
  });
  await app.register(swagger, {
    openapi: {
      openapi: "3.0.3",
      info: { title: "Saker API", version: "0.1.0", description: DESCRIPTION },
      components: { securitySchemes: { basicAuth: { type: "http", scheme: "basic" } } },
      security: options.auth.enabled ? [{ basicAuth: [] }] : [],
    },
    transformObject: (document) =>
      markOptionalBodies((document as { openapiObject: Record<string, unknown> }).openapiObject),
  });
  await app.register(swaggerUi, { routePrefix: "/api/v1/docs" });
  app.addHook("onRequest", sizeGuard(ctx.maxRequestSize));
  // without auth the hook lets every request through: it is left out, not run for each
  if (options.auth.enabled) app.addHook("onRequest", basicAuthHook(options.auth));
  // A full disk is named (507, with the data folder), not a bare 500.
  app.setErrorHandler((error, request, reply) =>
    sendError(
      ctx.ready ? asDiskFull(error, ctx.instance.config.home) : error,
      request,
      reply,
      ctx,
      options.onInternalError,
    ),
  );
  app.setNotFoundHandler((request, reply) =>
    sendError(
      new ApiError(404, "NOT_FOUND", `No route ${request.method} ${request.url.split("?")[0]}`),
      request,
      reply,
      ctx,
      options.onInternalError,
    ),
  );
  registerHealth(app, ctx);
  registerUi(app, options.uiDir);
  const routes = options.routes ?? API_ROUTES;
  await app.register(async (scope) => registerRoutes(scope, routes, ctx, false), { prefix: "/api/v1" });
  await app.register(async (scope) => registerRoutes(scope, routes, ctx, true), { prefix: `/api/v1/${ctx.tenantId}` });
  app.get("/api/v1/openapi.json", { schema: { hide: true } }, async () => app.swagger());
  return app;
}
