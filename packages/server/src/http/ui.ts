/**
 * Serves the web UI (`@saker/ui`'s built files) at `/ui`: hashed assets with a year's cache, any
 * other path below `/ui` answers `index.html` (the UI routes in the browser), and `/` redirects to
 * `/ui/`. The files are listed once at start-up; text files are gzipped on their first request
 * and kept. The UI's files are public: what they show comes from the API, which checks
 * credentials. Without a build, `/ui` says how to make one.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join, relative, sep } from "node:path";
import { gzipSync } from "node:zlib";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".json": "application/json",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

interface UiFile {
  path: string;
  type: string;
  immutable: boolean;
  body?: Buffer;
  gzipped?: Buffer;
}

function listFiles(dir: string): Map<string, UiFile> {
  const files = new Map<string, UiFile>();
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const full = join(folder, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) {
        const url = relative(dir, full).split(sep).join("/");
        files.set(url, {
          path: full,
          type: TYPES[extname(entry.name)] ?? "application/octet-stream",
          immutable: url.startsWith("assets/"),
        });
      }
    }
  };
  walk(dir);
  return files;
}

function send(file: UiFile, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  file.body ??= readFileSync(file.path);
  reply
    .type(file.type)
    .header("Cache-Control", file.immutable ? "public, max-age=31536000, immutable" : "no-cache")
    .header("X-Content-Type-Options", "nosniff");
  const text = file.type.startsWith("text/") || file.type.includes("json") || file.type.includes("svg");
  if (text && /\bgzip\b/.test(String(request.headers["accept-encoding"] ?? "")) && file.body.length > 1024) {
    file.gzipped ??= gzipSync(file.body);
    return reply.header("Content-Encoding", "gzip").header("Vary", "Accept-Encoding").send(file.gzipped);
  }
  return reply.send(file.body);
}

/** The folder of the built UI, or undefined when `@saker/ui` is not there. */
export async function findUiDir(): Promise<string | undefined> {
  try {
    const { uiDistDir } = (await import("@saker/ui")) as { uiDistDir: string };
    return statSync(join(uiDistDir, "index.html")).isFile() ? uiDistDir : undefined;
  } catch {
    return undefined;
  }
}

export function registerUi(app: FastifyInstance, dir: string | undefined): void {
  const files = dir ? listFiles(dir) : new Map<string, UiFile>();
  const index = files.get("index.html");
  // `public`: read by the basic-auth hook (auth/basicAuth.ts)
  const options = { config: { public: true } as object, schema: { hide: true } };
  app.get("/", options, (_request, reply) => reply.redirect("/ui/"));
  const handler = (request: FastifyRequest, reply: FastifyReply) => {
    if (!index) {
      return reply
        .code(503)
        .type("text/plain; charset=utf-8")
        .send("The web UI is not built. Run `npm run build -w @saker/ui` (npm ci builds it).");
    }
    const rest = (request.params as { "*"?: string })["*"] ?? "";
    const file = files.get(rest);
    if (file) return send(file, request, reply);
    // a missing asset is a 404, not the page: a stale tab asking for an old chunk must fail clearly
    if (rest.startsWith("assets/")) return reply.code(404).type("text/plain; charset=utf-8").send("Not found");
    return send(index, request, reply);
  };
  app.get("/ui", options, (_request, reply) => reply.redirect("/ui/"));
  app.get("/ui/*", options, handler);
}
