/**
 * Flows in bulk: validate several YAML documents, import several at once, enable or disable by
 * ids or by query, and the distinct namespaces.
 */
import { isSakerError, z } from "@saker/sdk";
import {
  isDataLimitError,
  parseYamlDataAsync,
  type Flow,
  type EngineApi,
  type Instance,
  type StoredFlow,
} from "@saker/engine";
import { ApiError } from "../http/errors.ts";
import { multi } from "../http/paging.ts";
import { defineRoute, type AnyRoute } from "../http/route.ts";
import {
  BulkResponseSchema,
  errors,
  FlowSchema,
  IdWithNamespaceSchema,
  ValidateResultSchema,
} from "../openapi/schemas.ts";
import {
  flowFilters,
  flowsJson,
  splitYamlDocuments,
  storedFlow,
  yieldToOthers,
  type YamlDocument,
} from "./flowSupport.ts";

const TAGS = ["Flows"];
const YAML_TYPES = ["application/x-yaml", "application/yaml", "text/yaml", "text/plain"];
const yamlBodyDoc = { content: Object.fromEntries(YAML_TYPES.map((t) => [t, { schema: { type: "string" } }])) };

interface Issue {
  path: string;
  message: string;
  line?: number;
  column?: number;
}

interface DocumentCheck {
  index: number;
  /** The validated flow (not part of the answer). */
  parsed?: Flow;
  flow?: string;
  namespace?: string;
  constraints?: string;
  issues?: Issue[];
  outdated: boolean;
  deprecationPaths: string[];
  warnings: string[];
  infos: string[];
}

async function rawIdentity(source: string): Promise<{ flow?: string; namespace?: string }> {
  try {
    const raw = (await parseYamlDataAsync(source, "flow")) as Record<string, unknown> | null;
    return {
      ...(typeof raw?.id === "string" ? { flow: raw.id } : {}),
      ...(typeof raw?.namespace === "string" ? { namespace: raw.namespace } : {}),
    };
  } catch {
    return {};
  }
}

/** Validates every document, yielding between them. */
async function checkDocuments(instance: Instance, docs: readonly YamlDocument[]): Promise<DocumentCheck[]> {
  const checks: DocumentCheck[] = [];
  for (const [i, doc] of docs.entries()) {
    if (i > 0) await yieldToOthers();
    checks.push(await checkDocument(instance, doc, i));
  }
  return checks;
}

/** Validates one document; issue lines count from the start of the whole body. */
async function checkDocument(instance: Instance, doc: YamlDocument, index: number): Promise<DocumentCheck> {
  const base = { index, outdated: false, deprecationPaths: [], warnings: [], infos: [] };
  try {
    const flow = await instance.flows.validateAsync(doc.source);
    return { ...base, flow: flow.id, namespace: flow.namespace, parsed: flow };
  } catch (error) {
    if (!isSakerError(error) || isDataLimitError(error)) throw error;
    const raw = Array.isArray(error.details?.issues) ? (error.details.issues as Issue[]) : [];
    const issues = raw.map((i) => ({ ...i, ...(i.line ? { line: i.line + doc.line - 1 } : {}) }));
    const constraints = issues.length
      ? issues.map((i) => `${i.path || "(flow)"}: ${i.message}${i.line ? ` (line ${i.line})` : ""}`).join("\n")
      : error.message.replace(/line (\d+)/, (_, n: string) => `line ${Number(n) + doc.line - 1}`);
    return { ...base, ...(await rawIdentity(doc.source)), constraints, ...(issues.length ? { issues } : {}) };
  }
}

const validate = defineRoute({
  method: "POST",
  url: "/flows/validate",
  summary: "Validate flows: one result per YAML document (separated by ---)",
  tags: TAGS,
  consumes: YAML_TYPES,
  body: z.string(),
  bodyDoc: yamlBodyDoc,
  response: { 200: z.array(ValidateResultSchema), ...errors(413) },
  async handler({ body, ctx }) {
    return (await checkDocuments(ctx.instance, splitYamlDocuments(body))).map(({ parsed: _parsed, ...check }) => check);
  },
});

type Ctx = Parameters<AnyRoute["handler"]>[0]["ctx"];

/**
 * Saves the YAML documents of `body`, all or none (422 listing every invalid one, or a flow outside
 * `namespace`, or an id given twice); with `deleteMissing`, the flows of `namespace` (or of every
 * namespace) the body leaves out are deleted in the same transaction.
 */
async function saveDocuments(ctx: Ctx, body: string, namespace: string | undefined, deleteMissing: boolean) {
  const instance = ctx.instance;
  const docs = splitYamlDocuments(body);
  const checks = await checkDocuments(instance, docs);
  const invalid = checks.filter((c) => c.constraints).map(({ parsed: _parsed, ...check }) => check);
  if (invalid.length) {
    const summary = invalid
      .map(
        (c) =>
          `document ${c.index}${c.flow ? ` ('${c.namespace}/${c.flow}')` : ""}: ${c.constraints!.split("\n").join("; ")}`,
      )
      .join("\n");
    throw new ApiError(
      422,
      "FLOW_INVALID",
      `${invalid.length} of ${docs.length} flows are invalid, nothing was saved:\n${summary}`,
      {
        ...(invalid[0]!.issues?.[0] ? { path: invalid[0]!.issues[0].path } : {}),
        details: { documents: invalid },
      },
    );
  }
  const outside = namespace ? checks.find((c) => c.namespace !== namespace) : undefined;
  if (outside)
    throw new ApiError(
      422,
      "FLOW_INVALID",
      `Flow '${outside.namespace}/${outside.flow}' is not in namespace '${namespace}'`,
      {
        path: "namespace",
      },
    );
  const seen = new Set<string>();
  for (const c of checks) {
    const key = `${c.namespace}/${c.flow}`;
    if (seen.has(key))
      throw new ApiError(422, "FLOW_INVALID", `Flow '${key}' is given twice, nothing was saved`, {
        path: `documents[${c.index}]`,
      });
    seen.add(key);
  }
  // One transaction: every flow is saved (and the missing ones deleted), or none.
  const saved = await ctx.api.flows.saveAll(
    docs.map((doc, i) => ({ source: doc.source, flow: checks[i]!.parsed! })),
    deleteMissing ? { ...(namespace ? { namespace } : {}) } : undefined,
  );
  await yieldToOthers();
  return await flowsJson(instance, saved, true);
}

const bulk = defineRoute({
  method: "POST",
  url: "/flows/bulk",
  summary: "Create or update several flows (YAML documents separated by ---), all or none",
  description:
    "Every document is validated first; one invalid document saves nothing (422 listing every problem). With `delete=true`, flows of `namespace` (or of every namespace) missing from the body are deleted; unlike Kestra, `delete` defaults to false.",
  tags: TAGS,
  consumes: YAML_TYPES,
  body: z.string(),
  bodyDoc: yamlBodyDoc,
  query: z.looseObject({
    delete: z
      .enum(["true", "false"])
      .default("false")
      .transform((v) => v === "true")
      .describe("Delete flows missing from the body"),
    namespace: z
      .string()
      .optional()
      .describe("Only flows of this namespace are accepted (and deleted with delete=true)"),
  }),
  response: { 200: z.array(FlowSchema), ...errors(413, 422) },
  async handler({ body, query, ctx }) {
    return await saveDocuments(ctx, body, query.namespace, query.delete);
  },
});

const namespaceUpdate = defineRoute({
  method: "POST",
  url: "/flows/:namespace",
  summary: "Make a namespace's flows those of the body (YAML documents separated by ---), all or none",
  description:
    "What Kestra's `flow namespace update` command and its deploy GitHub Action call. Every flow of the body must be in the namespace; the namespace's flows the body leaves out are deleted unless `delete=false` (its child namespaces are left alone).",
  tags: TAGS,
  consumes: YAML_TYPES,
  body: z.string(),
  bodyDoc: yamlBodyDoc,
  params: z.object({ namespace: z.string() }),
  query: z.looseObject({
    delete: z
      .enum(["true", "false"])
      .default("true")
      .transform((v) => v === "true")
      .describe("Delete the namespace's flows missing from the body"),
  }),
  response: { 200: z.array(FlowSchema), ...errors(413, 422) },
  async handler({ body, params, query, ctx }) {
    return await saveDocuments(ctx, body, params.namespace, query.delete);
  },
});

/**
 * Enables or disables flows by a new revision of each, edited and validated off the event loop
 * (its flow derived from the parsed previous revision when only `disabled` changed).
 */
async function setDisabled(
  instance: Instance,
  api: EngineApi,
  flows: readonly StoredFlow[],
  disabled: boolean,
): Promise<number> {
  for (const f of flows) {
    if (f.disabled === disabled) continue;
    const { source, flow } = await instance.flows.toggleAsync(f, disabled);
    await api.flows.save(source, flow ?? (await api.flows.validate(source)));
  }
  return flows.length;
}

function byIds(disabled: boolean) {
  return defineRoute({
    method: "POST",
    url: `/flows/${disabled ? "disable" : "enable"}/by-ids`,
    summary: `${disabled ? "Disable" : "Enable"} flows by id (each gets a new revision with \`disabled: ${disabled}\`)`,
    tags: TAGS,
    body: z.array(IdWithNamespaceSchema),
    response: { 200: BulkResponseSchema, ...errors(404) },
    async handler({ body, ctx }) {
      const flows = await Promise.all(body.map((f) => storedFlow(ctx.instance, f.namespace, f.id)));
      return { count: await setDisabled(ctx.instance, ctx.api, flows, disabled) };
    },
  });
}

function byQuery(disabled: boolean) {
  return defineRoute({
    method: "POST",
    url: `/flows/${disabled ? "disable" : "enable"}/by-query`,
    summary: `${disabled ? "Disable" : "Enable"} the flows a search matches`,
    tags: TAGS,
    query: z.looseObject({ q: z.string().optional(), namespace: z.string().optional(), labels: multi() }),
    response: { 200: BulkResponseSchema, ...errors(400) },
    async handler({ query, ctx }) {
      const found = await ctx.api.flows.searchAll({ filters: flowFilters(query) });
      const flows = await Promise.all(found.map((f) => storedFlow(ctx.instance, f.namespace, f.id, f.revision)));
      return { count: await setDisabled(ctx.instance, ctx.api, flows, disabled) };
    },
  });
}

const deleteByIds = defineRoute({
  method: "DELETE",
  url: "/flows/delete/by-ids",
  summary: "Delete flows by id (their revisions are kept, a deleted revision is added)",
  description: "All or none: an unknown flow answers 404 and nothing is deleted.",
  tags: TAGS,
  body: z.array(IdWithNamespaceSchema),
  response: { 200: BulkResponseSchema, ...errors(404) },
  async handler({ body, ctx }) {
    // all or none: an unknown flow throws before anything is deleted
    const flows = await Promise.all(body.map((f) => storedFlow(ctx.instance, f.namespace, f.id)));
    return { count: await ctx.api.flows.deleteAll(flows) };
  },
});

const deleteByQuery = defineRoute({
  method: "DELETE",
  url: "/flows/delete/by-query",
  summary: "Delete the flows a search matches",
  tags: TAGS,
  query: z.looseObject({ q: z.string().optional(), namespace: z.string().optional(), labels: multi() }),
  response: { 200: BulkResponseSchema, ...errors(400) },
  async handler({ query, ctx }) {
    return { count: await ctx.api.flows.deleteAll(await ctx.api.flows.searchAll({ filters: flowFilters(query) })) };
  },
});

const distinctNamespaces = defineRoute({
  method: "GET",
  url: "/flows/distinct-namespaces",
  summary: "The namespaces that hold flows",
  tags: TAGS,
  query: z.looseObject({ q: z.string().optional().describe("Keep namespaces containing this text") }),
  response: { 200: z.array(z.string()) },
  async handler({ query, ctx }) {
    const all = (await ctx.api.flows.namespacesWithFlows()).sort();
    return query.q ? all.filter((n) => n.toLowerCase().includes(query.q!.toLowerCase())) : all;
  },
});

export const flowBulkRoutes: AnyRoute[] = [
  validate,
  bulk,
  namespaceUpdate,
  byIds(false),
  byIds(true),
  byQuery(false),
  byQuery(true),
  deleteByIds,
  deleteByQuery,
  distinctNamespaces,
];
