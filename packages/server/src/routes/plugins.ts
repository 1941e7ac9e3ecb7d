/**
 * Plugins: the installed plugin versions and their types, each type's docs and JSON Schema (per
 * version), the flow JSON Schema, and installing or removing versions while the server runs.
 */
import { SakerError, z } from "@saker/sdk";
import { typeDocumentation } from "@saker/engine/plugins/docs";
import { installPlugin, uninstallPlugin } from "@saker/engine/plugins/installer";
import { syncPlugins } from "@saker/engine/plugins/loader";
import type { RegisteredType } from "@saker/engine/plugins/registry";
import { flowJsonSchema } from "@saker/engine/model/jsonSchema";
import type { Instance } from "@saker/engine/runtime/instance";
import { pluginDirs } from "@saker/engine/runtime/registryLoader";
import { badRequest, notFound } from "../http/errors.ts";
import { defineRoute, type AnyRoute } from "../http/route.ts";
import { errors } from "../openapi/schemas.ts";

const TAGS = ["Plugins"];
type Json = Record<string, unknown>;

const PluginSchema = z.looseObject({
  name: z.string(),
  title: z.string(),
  version: z.string(),
  core: z.boolean(),
  bundled: z.boolean().describe("Shipped with Saker (the repository's plugins/), not installed in the plugins folder"),
  tasks: z.array(z.string()),
  triggers: z.array(z.string()),
  conditions: z.array(z.string()),
});
const DocSchema = z.object({ markdown: z.string(), schema: z.object({ properties: z.record(z.string(), z.unknown()), outputs: z.record(z.string(), z.unknown()), definitions: z.record(z.string(), z.unknown()) }) });
const TypeParams = z.object({ type: z.string().describe("The type id, e.g. io.kestra.plugin.core.log.Log") });
const SpecsBody = z.object({ plugins: z.array(z.string().min(1)).min(1).describe("npm name@version (or range), tarball or folder paths on the server") });

function draft7(schema: z.ZodType, io: "input" | "output"): Json {
  try {
    const json = z.toJSONSchema(schema, { io, target: "draft-7", unrepresentable: "any" }) as Json;
    delete json.$schema;
    return json;
  } catch {
    return {};
  }
}

function versionsOf(instance: Instance, type: string): readonly RegisteredType[] {
  const versions = instance.registry.versionsOf(type);
  if (versions.length === 0) throw notFound("PLUGIN_NOT_FOUND", `Unknown plugin type '${type}'`);
  return versions;
}

function documentation(entry: RegisteredType, versions: readonly RegisteredType[]) {
  const definition = entry.definition;
  const outputs = "outputs" in definition && definition.outputs ? draft7(definition.outputs as z.ZodType, "output") : {};
  return {
    markdown: typeDocumentation(entry, versions.map((v) => v.plugin.version)),
    schema: { properties: draft7(definition.properties, "input"), outputs, definitions: {} },
  };
}

const list = defineRoute({
  method: "GET",
  url: "/plugins",
  summary: "The plugin versions (core, bundled and installed) with the types each provides",
  tags: TAGS,
  response: { 200: z.array(PluginSchema) },
  async handler({ ctx }) {
    const plugins = new Map<string, z.output<typeof PluginSchema>>();
    for (const [type, versions] of ctx.instance.registry.entries()) {
      for (const v of versions) {
        const key = `${v.plugin.name}@${v.plugin.version}`;
        const plugin = plugins.get(key) ?? { name: v.plugin.name, title: v.plugin.name, version: v.plugin.version, core: v.plugin.core, bundled: v.plugin.bundled === true, tasks: [], triggers: [], conditions: [] };
        plugins.set(key, plugin);
        (v.nodeKind === "task" ? plugin.tasks : v.nodeKind === "trigger" ? plugin.triggers : plugin.conditions).push(type);
      }
    }
    return [...plugins.values()].map((p) => ({ ...p, tasks: p.tasks.sort(), triggers: p.triggers.sort(), conditions: p.conditions.sort() }));
  },
});

const versions = defineRoute({
  method: "GET",
  url: "/plugins/:type/versions",
  summary: "The installed versions of a type, oldest first",
  tags: TAGS,
  params: TypeParams,
  response: { 200: z.object({ type: z.string(), versions: z.array(z.string()) }), ...errors(404) },
  async handler({ params, ctx }) {
    const all = versionsOf(ctx.instance, params.type);
    return { type: all[0]!.type, versions: all.map((v) => v.plugin.version) };
  },
});

const doc = defineRoute({
  method: "GET",
  url: "/plugins/:type",
  summary: "A type's documentation (Markdown) and JSON Schema, for the version used by default",
  tags: TAGS,
  params: TypeParams,
  response: { 200: DocSchema, ...errors(404) },
  async handler({ params, ctx }) {
    const all = versionsOf(ctx.instance, params.type);
    let entry: RegisteredType;
    try {
      entry = ctx.instance.registry.resolve(params.type);
    } catch {
      entry = all[all.length - 1]!;
    }
    return documentation(entry, all);
  },
});

const versionDoc = defineRoute({
  method: "GET",
  url: "/plugins/:type/versions/:version",
  summary: "A type's documentation and JSON Schema for one version",
  tags: TAGS,
  params: TypeParams.extend({ version: z.string() }),
  response: { 200: DocSchema, ...errors(404) },
  async handler({ params, ctx }) {
    const all = versionsOf(ctx.instance, params.type);
    const entry = all.find((v) => v.plugin.version === params.version);
    if (!entry) throw notFound("PLUGIN_VERSION_NOT_FOUND", `Version '${params.version}' of '${params.type}' is not installed; installed: ${all.map((v) => v.plugin.version).join(", ")}`);
    return documentation(entry, all);
  },
});

const schemas = defineRoute({
  method: "GET",
  url: "/plugins/schemas/:kind",
  summary: "JSON Schema (draft-07) of a flow, a task or a trigger, from every installed type",
  tags: TAGS,
  params: z.object({ kind: z.enum(["flow", "task", "trigger"]) }),
  response: { 200: z.record(z.string(), z.unknown()), ...errors(400) },
  async handler({ params, ctx }) {
    const flow = flowJsonSchema(ctx.instance.registry);
    if (params.kind === "flow") return flow;
    return { $schema: flow.$schema, $ref: `#/definitions/${params.kind}`, definitions: flow.definitions };
  },
});

async function resync(instance: Instance): Promise<void> {
  await syncPlugins(instance.registry, pluginDirs(instance.config), instance.loadedPlugins);
  instance.flows.invalidate();
}

const install = defineRoute({
  method: "POST",
  url: "/plugins/install",
  summary: "Install plugin versions with npm, side by side with the installed ones",
  tags: TAGS,
  body: SpecsBody.extend({ force: z.boolean().optional().describe("Replace a version already installed") }),
  response: { 200: z.array(z.object({ name: z.string(), version: z.string(), types: z.array(z.string()) })), ...errors(400, 409, 422) },
  async handler({ body, ctx }) {
    const installed = [];
    for (const spec of body.plugins) {
      const result = await installPlugin(spec, { pluginsDir: ctx.instance.config.pluginsPath, ...(body.force ? { force: true } : {}) });
      installed.push({ name: result.name, version: result.version, types: result.types });
    }
    await resync(ctx.instance);
    return installed;
  },
});

function splitSpec(spec: string): { name: string; version: string } {
  const at = spec.lastIndexOf("@");
  if (at <= 0) throw badRequest(`Expected name@version, got '${spec}'`, "body.plugins");
  return { name: spec.slice(0, at), version: spec.slice(at + 1) };
}

const uninstall = defineRoute({
  method: "DELETE",
  url: "/plugins/uninstall",
  summary: "Remove installed plugin versions (name@version)",
  tags: TAGS,
  body: SpecsBody,
  response: { 200: z.object({ plugins: z.array(z.string()) }), ...errors(400, 404, 409) },
  async handler({ body, ctx }) {
    const specs = body.plugins.map(splitSpec);
    const installed = new Set(ctx.instance.loadedPlugins);
    const missing = specs.find((s) => !installed.has(`${s.name}@${s.version}`));
    if (missing) throw new SakerError("PLUGIN_NOT_INSTALLED", `${missing.name}@${missing.version} is not installed`, { details: { status: 404 } });
    for (const s of specs) uninstallPlugin(ctx.instance.config.pluginsPath, s.name, s.version, ctx.instance.config.bundledPluginsPath);
    await resync(ctx.instance);
    return { plugins: specs.map((s) => `${s.name}@${s.version}`) };
  },
});

export const pluginRoutes: AnyRoute[] = [list, schemas, versions, doc, versionDoc, install, uninstall];
