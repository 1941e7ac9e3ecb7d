/**
 * The key-value store of a namespace: list keys, get `{type, value}`, put (the body's JSON keeps
 * its type; optional `ttl` header as an ISO-8601 duration), delete one or several keys.
 */
import { isDuration, isSakerError, parseDuration, z, type KvType } from "@saker/sdk";
import { isCalendarDate, isInstant, parseJsonData } from "@saker/engine";
import type { FastifyRequest } from "fastify";
import { badRequest, notFound } from "../http/errors.ts";
import { defineRoute, type AnyRoute } from "../http/route.ts";
import { rawBodyOf } from "../http/rawBody.ts";
import { errors, KvEntrySchema, KvValueSchema } from "../openapi/schemas.ts";
import { NamespaceParams } from "./namespaceFiles.ts";

const TAGS = ["KV"];
const KeyParams = NamespaceParams.extend({ key: z.string().describe("The key") });

/**
 * A request body as a typed value: JSON keeps its type (`"x"` STRING, `1` NUMBER, `true`
 * BOOLEAN, objects and arrays JSON); bare text is a DATE, DATETIME or DURATION when it reads as
 * one (as Ion reads unquoted timestamps), else a STRING.
 */
export function typedKvValue(text: string): { value: unknown; type: KvType } {
  const trimmed = text.trim();
  if (trimmed === "") throw badRequest("The value is empty", "body");
  let parsed: unknown;
  try {
    parsed = parseJsonData(trimmed, "the KV value");
  } catch (error) {
    if (isSakerError(error)) throw error;
    if (isCalendarDate(trimmed)) return { value: trimmed, type: "DATE" };
    if (isInstant(trimmed)) return { value: new Date(trimmed).toISOString(), type: "DATETIME" };
    if (isDuration(trimmed)) return { value: trimmed.toUpperCase(), type: "DURATION" };
    if (/^[[{"]/.test(trimmed)) throw badRequest(`Invalid JSON value for: ${trimmed.slice(0, 100)}`, "body");
    return { value: text, type: "STRING" };
  }
  if (parsed === null) throw badRequest("A KV value cannot be null; delete the key instead", "body");
  if (typeof parsed === "number") return { value: parsed, type: "NUMBER" };
  if (typeof parsed === "boolean") return { value: parsed, type: "BOOLEAN" };
  if (typeof parsed === "string") return { value: parsed, type: "STRING" };
  return { value: parsed, type: "JSON" };
}

function ttlOf(request: FastifyRequest): number | undefined {
  const header = request.headers.ttl;
  if (header === undefined) return undefined;
  const text = Array.isArray(header) ? header[0]! : header;
  if (!isDuration(text) || parseDuration(text) <= 0)
    throw badRequest(`Invalid ttl header '${text}': expected a positive ISO-8601 duration such as PT1H`, "headers.ttl");
  return parseDuration(text);
}

const list = defineRoute({
  method: "GET",
  url: "/namespaces/:namespace/kv",
  summary: "The keys of a namespace (expired ones excluded)",
  tags: TAGS,
  params: NamespaceParams,
  response: { 200: z.array(KvEntrySchema) },
  async handler({ params, ctx }) {
    const entries = await ctx.api.kv.of(params.namespace).list();
    // Kestra's KVEntry: expirationDate is null for a key that does not expire.
    return entries.map((e) => ({
      key: e.key,
      creationDate: e.creationDate ?? e.updateDate,
      updateDate: e.updateDate,
      expirationDate: e.expirationDate ?? null,
    }));
  },
});

const get = defineRoute({
  method: "GET",
  url: "/namespaces/:namespace/kv/:key",
  summary: "The value of a key, with its type",
  tags: TAGS,
  params: KeyParams,
  response: { 200: KvValueSchema, ...errors(400, 404) },
  async handler({ params, ctx }) {
    const entry = await ctx.api.kv.of(params.namespace).get(params.key);
    if (!entry)
      throw notFound("KV_NOT_FOUND", `No value found for key '${params.key}' in namespace '${params.namespace}'`);
    return { type: entry.type, value: entry.value };
  },
});

const put = defineRoute({
  method: "PUT",
  url: "/namespaces/:namespace/kv/:key",
  summary: "Set a key: the JSON body keeps its type; header `ttl` (ISO-8601 duration) expires it",
  tags: TAGS,
  consumes: ["application/json", "text/plain"],
  bodyDoc: { content: { "application/json": { schema: {} }, "text/plain": { schema: { type: "string" } } } },
  params: KeyParams,
  response: { 200: null, ...errors(400) },
  async handler({ params, request, ctx }) {
    const { value, type } = typedKvValue(rawBodyOf(request));
    const ttlMs = ttlOf(request);
    await ctx.api.kv.of(params.namespace).set(params.key, value, {
      type,
      ...(ttlMs !== undefined ? { ttlMs } : {}),
    });
  },
});

const remove = defineRoute({
  method: "DELETE",
  url: "/namespaces/:namespace/kv/:key",
  summary: "Delete a key: true when it existed",
  tags: TAGS,
  params: KeyParams,
  response: { 200: z.boolean(), ...errors(400) },
  async handler({ params, ctx }) {
    return ctx.api.kv.of(params.namespace).delete(params.key);
  },
});

const removeMany = defineRoute({
  method: "DELETE",
  url: "/namespaces/:namespace/kv",
  summary: "Delete several keys; answers those that existed",
  tags: TAGS,
  params: NamespaceParams,
  body: z.object({ keys: z.array(z.string()) }),
  response: { 200: z.object({ keys: z.array(z.string()) }), ...errors(400) },
  async handler({ params, body, ctx }) {
    const store = ctx.api.kv.of(params.namespace);
    const deleted: string[] = [];
    for (const key of body.keys) if (await store.delete(key)) deleted.push(key);
    return { keys: deleted };
  },
});

export const kvRoutes: AnyRoute[] = [list, get, put, remove, removeMany];
