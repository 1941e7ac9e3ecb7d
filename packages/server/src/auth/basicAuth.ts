/**
 * HTTP basic authentication against `server.basicAuth.users` (scrypt hashes only).
 *
 * - Listening beyond loopback, auth is always on, and the server refuses to start without a user.
 * - On loopback it is off unless `server.basicAuth.enabled: true`.
 * - Health checks and webhook triggers (`/api/v1/[tenant/]executions/webhook/…`, protected by their
 *   key) stay open; so does any route declared `public`. Publicness is read from the route that
 *   matched, never from the raw URL, so an encoded or dotted path cannot borrow it.
 */
import { createHash } from "node:crypto";
import { isIP } from "node:net";
import type { FastifyReply, FastifyRequest } from "fastify";
import { SakerError } from "@saker/sdk";
import { ApiError } from "../http/errors.ts";
import { parsePasswordHash, verifyPassword, type ParsedHash } from "./passwordHash.ts";

export interface BasicAuthSettings {
  enabled?: boolean | undefined;
  users: readonly { username: string; passwordHash: string }[];
}

export interface BasicAuth {
  enabled: boolean;
  users: ReadonlyMap<string, ParsedHash>;
}

/** True for 127.0.0.0/8, ::1, localhost and IPv4-mapped loopback addresses. */
export function isLoopback(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, "");
  if (h === "localhost" || h === "::1" || h === "0:0:0:0:0:0:0:1") return true;
  const v4 = h.startsWith("::ffff:") ? h.slice("::ffff:".length) : h;
  return isIP(v4) === 4 && v4.startsWith("127.");
}

/** Compiles the auth settings for a listening address; throws when they cannot protect it. */
export function compileBasicAuth(settings: BasicAuthSettings, host: string): BasicAuth {
  const users = new Map<string, ParsedHash>();
  for (const [i, user] of settings.users.entries()) {
    if (!user.username) throw new SakerError("CONFIG_INVALID", `server.basicAuth.users[${i}].username is empty`);
    try {
      users.set(user.username, parsePasswordHash(user.passwordHash));
    } catch (error) {
      throw new SakerError(
        "CONFIG_INVALID",
        `server.basicAuth.users[${i}] ('${user.username}'): ${(error as Error).message}`,
      );
    }
  }
  const loopback = isLoopback(host);
  if (!loopback && settings.enabled === false) {
    throw new SakerError(
      "SERVER_AUTH_REQUIRED",
      `Basic auth cannot be disabled when listening on '${host}', beyond loopback. Listen on 127.0.0.1, or remove server.basicAuth.enabled: false and configure users.`,
    );
  }
  const enabled = !loopback || settings.enabled === true;
  if (enabled && users.size === 0) {
    throw new SakerError(
      "SERVER_AUTH_REQUIRED",
      `Refusing to start: ${loopback ? "server.basicAuth.enabled is true" : `the server would listen on '${host}', beyond loopback,`} but no user is configured. ` +
        "Add server.basicAuth.users: [{username, passwordHash}] (make a hash with `saker server hash-password`), or listen on 127.0.0.1.",
    );
  }
  return { enabled, users };
}

const WEBHOOK_ROUTE = /^\/api\/v1\/(?:[^/]+\/)?executions\/webhook\//;
const HEALTH_ROUTES = new Set(["/health", "/api/v1/health"]);

function isPublicRoute(request: FastifyRequest): boolean {
  const options = request.routeOptions;
  if (!options.url) return false;
  if ((options.config as { public?: boolean } | undefined)?.public === true) return true;
  return HEALTH_ROUTES.has(options.url) || WEBHOOK_ROUTE.test(options.url);
}

function credentials(header: string | undefined): { username: string; password: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=._~-]+)\s*$/i.exec(header ?? "");
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, "base64").toString("utf8");
  const at = decoded.indexOf(":");
  return at < 0 ? undefined : { username: decoded.slice(0, at), password: decoded.slice(at + 1) };
}

/** A fastify `onRequest` hook checking credentials; successful checks are cached for a minute. */
export function basicAuthHook(auth: BasicAuth): (request: FastifyRequest, reply: FastifyReply) => Promise<void> {
  const verified = new Map<string, number>();
  const dummy = parsePasswordHash(
    "scrypt$16384$8$1$c2FrZXItZHVtbXktc2FsdA==$ZHVtbXktaGFzaC1uZXZlci1tYXRjaGVzLTMyYnl0ZXM=",
  );
  const unauthorized = (request: FastifyRequest, reply: FastifyReply) => {
    // The web UI asks with X-Requested-With and shows its own sign-in page: a challenge would
    // make the browser open its login dialog over it.
    if (request.headers["x-requested-with"] !== "XMLHttpRequest")
      reply.header("WWW-Authenticate", 'Basic realm="Saker", charset="UTF-8"');
    return new ApiError(401, "UNAUTHORIZED", "Authentication required: use HTTP basic auth with a configured user");
  };
  return async (request, reply) => {
    if (!auth.enabled || isPublicRoute(request)) return;
    const header = request.headers.authorization;
    const given = credentials(header);
    if (!given) throw unauthorized(request, reply);
    const key = createHash("sha256").update(header!).digest("hex");
    const until = verified.get(key);
    if (until !== undefined && until > Date.now()) return;
    const hash = auth.users.get(given.username);
    const ok = await verifyPassword(given.password, hash ?? dummy);
    if (!ok || !hash) throw unauthorized(request, reply);
    if (verified.size > 1000) verified.clear();
    verified.set(key, Date.now() + 60_000);
  };
}
