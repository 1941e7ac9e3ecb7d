/**
 * Body parsers: JSON is kept as text beside its parsed value (the KV store needs the text to
 * keep a value's type), YAML and plain text are strings.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { badRequest } from "./errors.ts";

const RAW = Symbol("saker.rawBody");

type WithRaw = FastifyRequest & { [RAW]?: string };

/** The body as the client sent it (JSON or text routes). */
export function rawBodyOf(request: FastifyRequest): string {
  const raw = (request as WithRaw)[RAW];
  if (raw !== undefined) return raw;
  return typeof request.body === "string" ? request.body : "";
}

export function registerBodyParsers(app: FastifyInstance): void {
  app.removeContentTypeParser(["application/json", "text/plain"]);
  const asJson = (request: FastifyRequest, body: string | Buffer, done: (error: Error | null, value?: unknown) => void) => {
    const text = String(body);
    (request as WithRaw)[RAW] = text;
    if (text.trim() === "") return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(badRequest("The body is not valid JSON", "body"), undefined);
    }
  };
  app.addContentTypeParser("application/json", { parseAs: "string" }, asJson);
  app.addContentTypeParser(/^application\/[a-z.+-]*\+json$/, { parseAs: "string" }, asJson);
  const asText = (request: FastifyRequest, body: string | Buffer, done: (error: Error | null, value?: unknown) => void) => {
    (request as WithRaw)[RAW] = String(body);
    done(null, String(body));
  };
  app.addContentTypeParser(["text/plain", "application/x-yaml", "application/yaml", "text/yaml", "text/x-yaml"], { parseAs: "string" }, asText);
}
