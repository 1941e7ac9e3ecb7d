/**
 * Plugins: the installed plugin versions and their types, each type's docs and JSON Schema (per
 * version), the flow JSON Schema, and managing versions while the server runs (the Versioned
 * plugins page): install from npm or an uploaded tarball, uninstall (refused while a flow pins the
 * version), and each plugin's default version.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SakerError, z } from "@saker/sdk";
import {
  checkPluginVersion,
  collectVersionSpecs,
  findVersionPins,
  writeDefaultVersion,
  flowJsonSchema,
  groupIcons,
  INPUT_TYPES,
  inputSchema,
  installPlugin,
  isBundled,
  pluginDirs,
  pluginSummaries,
  subgroupSummaries,
  syncPlugins,
  typeDocumentation,
  typeIcons,
  uninstallPlugin,
  versionPins,
  type Instance,
  type RegisteredType,
} from "@saker/engine";
import { ApiError, badRequest, notFound } from "../http/errors.ts";
import { readForm } from "../http/multipart.ts";
import { defineRoute, type AnyRoute } from "../http/route.ts";
import { errors } from "../openapi/schemas.ts";

const TAGS = ["Plugins"];
type Json = Record<string, unknown>;

const ElementSchema = z.looseObject({
  cls: z.string(),
  deprecated: z.boolean().optional(),
  title: z.string().optional(),
  description: z.string().optional(),
});
const PluginSchema = z.looseObject({
  name: z.string(),
  title: z.string(),
  description: z.string().optional(),
  group: z.string(),
  version: z.string(),
  manifest: z.record(z.string(), z.string()),
  tasks: z.array(ElementSchema),
  triggers: z.array(ElementSchema),
  conditions: z.array(ElementSchema),
  aliases: z.array(z.string()),
  categories: z.array(z.string()),
  subGroup: z
    .string()
    .optional()
    .describe("Set on the entries of GET /plugins/groups/subgroups that stand for a subgroup"),
  core: z.boolean(),
  bundled: z.boolean().describe("Shipped with Saker (the repository's plugins/), not installed in the plugins folder"),
});
const IconsSchema = z.record(
  z.string(),
  z.object({ name: z.string(), icon: z.string().describe("An SVG, base64"), flowable: z.boolean() }),
);
const DocSchema = z.object({
  markdown: z.string(),
  schema: z.object({
    properties: z.record(z.string(), z.unknown()),
    outputs: z.record(z.string(), z.unknown()),
    definitions: z.record(z.string(), z.unknown()),
  }),
});
const TypeParams = z.object({ type: z.string().describe("The type id, e.g. io.kestra.plugin.core.log.Log") });
const SpecsBody = z.object({
  plugins: z
    .array(z.string().min(1))
    .min(1)
    .describe("npm name@version (or range), tarball or folder paths on the server"),
});

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
  const outputs =
    "outputs" in definition && definition.outputs ? draft7(definition.outputs as z.ZodType, "output") : {};
  const properties = draft7(definition.properties, "input");
  // As in Kestra's schemas: `type` is a constant naming the type.
  properties.properties = { ...(properties.properties as Json | undefined), type: { const: entry.type } };
  return {
    markdown: typeDocumentation(
      entry,
      versions.map((v) => v.plugin.version),
    ),
    schema: { properties, outputs, definitions: {} },
  };
}

const list = defineRoute({
  method: "GET",
  url: "/plugins",
  summary: "The plugin versions (core, bundled and installed) with the types each provides (Kestra's Plugin summary)",
  tags: TAGS,
  response: { 200: z.array(PluginSchema) },
  async handler({ ctx }) {
    return pluginSummaries(ctx.instance.registry);
  },
});

const subgroups = defineRoute({
  method: "GET",
  url: "/plugins/groups/subgroups",
  summary: "The plugin versions, then one entry per subgroup (package) of each, with its types",
  tags: TAGS,
  response: { 200: z.array(PluginSchema) },
  async handler({ ctx }) {
    return subgroupSummaries(ctx.instance.registry);
  },
});

const icons = defineRoute({
  method: "GET",
  url: "/plugins/icons",
  summary: "Icons by type (and alias): the plugin's own, or a default one of its group",
  tags: TAGS,
  response: { 200: IconsSchema },
  async handler({ reply, ctx }) {
    reply.header("Cache-Control", "public, max-age=3600");
    return typeIcons(ctx.instance.registry);
  },
});

const groupIconsRoute = defineRoute({
  method: "GET",
  url: "/plugins/icons/groups",
  summary: "Icons by plugin group and subgroup",
  tags: TAGS,
  response: { 200: IconsSchema },
  async handler({ reply, ctx }) {
    reply.header("Cache-Control", "public, max-age=3600");
    return groupIcons(ctx.instance.registry);
  },
});

const inputTypes = defineRoute({
  method: "GET",
  url: "/plugins/inputs",
  summary: "The flow input types",
  tags: TAGS,
  response: { 200: z.array(z.object({ type: z.string(), cls: z.string() })) },
  async handler() {
    return INPUT_TYPES.map((type) => ({ type, cls: inputClass(type) }));
  },
});

const inputType = defineRoute({
  method: "GET",
  url: "/plugins/inputs/:type",
  summary: "An input type's documentation (Markdown) and JSON Schema",
  tags: TAGS,
  params: z.object({ type: z.string().describe("The input type, e.g. STRING") }),
  response: { 200: DocSchema, ...errors(404) },
  async handler({ params }) {
    const type = INPUT_TYPES.find((t) => t === params.type.toUpperCase());
    if (!type)
      throw notFound(
        "INPUT_TYPE_NOT_FOUND",
        `Unknown input type '${params.type}'; the types are ${INPUT_TYPES.join(", ")}`,
      );
    const properties = draft7(inputSchema(type), "input");
    properties.properties = { ...(properties.properties as Json | undefined), type: { const: type } };
    return { markdown: inputDocumentation(type, properties), schema: { properties, definitions: {} } };
  },
});

/** Kestra's class of an input type (`STRING` → `io.kestra.core.models.flows.input.StringInput`). */
function inputClass(type: string): string {
  const names: Record<string, string> = { DATETIME: "DateTime", URI: "URI", MULTISELECT: "Multiselect" };
  const name = names[type] ?? type.charAt(0) + type.slice(1).toLowerCase();
  return `io.kestra.core.models.flows.input.${name}Input`;
}

function inputDocumentation(type: string, schema: Json): string {
  const properties = Object.entries((schema.properties ?? {}) as Record<string, Json>).filter(
    ([name]) => name !== "type",
  );
  const required = new Set((schema.required ?? []) as string[]);
  const lines = properties.map(
    ([name, p]) =>
      `- \`${name}\`${required.has(name) ? " (required)" : ""}${typeof p.description === "string" ? `: ${p.description}` : ""}`,
  );
  return [`# ${type} input`, "", `An input of type \`${type}\`.`, "", "## Properties", "", ...lines, ""].join("\n");
}

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
    if (!entry)
      throw notFound(
        "PLUGIN_VERSION_NOT_FOUND",
        `Version '${params.version}' of '${params.type}' is not installed; installed: ${all.map((v) => v.plugin.version).join(", ")}`,
      );
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

const InstalledSchema = z.array(z.object({ name: z.string(), version: z.string(), types: z.array(z.string()) }));

const install = defineRoute({
  method: "POST",
  url: "/plugins/install",
  summary: "Install plugin versions with npm, side by side with the installed ones",
  tags: TAGS,
  body: SpecsBody.extend({ force: z.boolean().optional().describe("Replace a version already installed") }),
  response: { 200: InstalledSchema, ...errors(400, 409, 422) },
  async handler({ body, ctx }) {
    const installed = [];
    for (const spec of body.plugins) {
      const result = await installPlugin(spec, {
        pluginsDir: ctx.instance.config.pluginsPath,
        ...(body.force ? { force: true } : {}),
      });
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

/** Whether a body starts like a gzip stream (`npm pack` writes gzipped tarballs). */
function isGzip(bytes: Buffer): boolean {
  return bytes.length > 18 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

const upload = defineRoute({
  method: "POST",
  url: "/plugins/upload",
  summary:
    "Install a plugin version from an uploaded tarball (multipart part `file`, an `npm pack` .tgz), side by side with the installed ones; field `force=true` replaces the same version. 400 PLUGIN_NOT_A_TARBALL when the part is not a gzipped tarball",
  tags: TAGS,
  consumes: ["multipart/form-data"],
  bodyDoc: {
    content: {
      "multipart/form-data": {
        schema: {
          type: "object",
          properties: {
            file: { type: "string", format: "binary" },
            force: { type: "string", enum: ["true", "false"] },
          },
          required: ["file"],
        },
      },
    },
  },
  response: { 200: InstalledSchema, ...errors(400, 409, 413, 415, 422) },
  async handler({ request, ctx }) {
    if (!request.isMultipart())
      throw new ApiError(
        415,
        "UNSUPPORTED_MEDIA_TYPE",
        "Upload the tarball as multipart/form-data in a part named file",
      );
    const form = await readForm(request, ctx.maxRequestSize);
    const file = form.files.find((f) => f.field === "file") ?? form.files[0];
    if (!file) throw badRequest("Missing the file part 'file' (a .tgz made by npm pack)", "body.file");
    if (!isGzip(file.bytes))
      throw new SakerError(
        "PLUGIN_NOT_A_TARBALL",
        `'${file.fileName}' is not a plugin tarball: expected a gzipped .tgz as made by npm pack`,
      );
    const force = String(form.fields.get("force")?.[0] ?? "") === "true";
    mkdirSync(ctx.instance.config.pluginsPath, { recursive: true });
    const folder = mkdtempSync(join(ctx.instance.config.pluginsPath, ".upload-"));
    try {
      const tarball = join(folder, "plugin.tgz");
      writeFileSync(tarball, file.bytes);
      const result = await installPlugin(tarball, {
        pluginsDir: ctx.instance.config.pluginsPath,
        ...(force ? { force: true } : {}),
      });
      await resync(ctx.instance);
      return [{ name: result.name, version: result.version, types: result.types }];
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  },
});

const uninstall = defineRoute({
  method: "DELETE",
  url: "/plugins/uninstall",
  summary:
    "Remove installed plugin versions (name@version). 409 PLUGIN_VERSION_IN_USE when a flow's `version:` can only be met by a version to remove (details.pins lists them), unless `force` is true; 409 PLUGIN_BUNDLED for a bundled version. A removed default version is no longer the default",
  tags: TAGS,
  body: SpecsBody.extend({
    force: z.boolean().optional().describe("Remove even when flows pin the version (they will fail to resolve it)"),
  }),
  response: { 200: z.object({ plugins: z.array(z.string()) }), ...errors(400, 404, 409) },
  async handler({ body, ctx }) {
    const specs = body.plugins.map(splitSpec);
    const installed = new Set(ctx.instance.loadedPlugins);
    const missing = specs.find((s) => !installed.has(`${s.name}@${s.version}`));
    if (missing) throw new SakerError("PLUGIN_NOT_INSTALLED", `${missing.name}@${missing.version} is not installed`);
    if (!body.force) {
      const flows = ctx.instance.flows.all();
      for (const s of specs) {
        // a bundled version cannot be removed at all: uninstallPlugin says so below
        if (isBundled(ctx.instance.config.bundledPluginsPath, s.name, s.version)) continue;
        const pins = findVersionPins(flows, ctx.instance.registry, s.name, s.version);
        if (pins.length === 0) continue;
        const named = [...new Set(pins.map((p) => `${p.namespace}.${p.flowId}`))];
        throw new SakerError(
          "PLUGIN_VERSION_IN_USE",
          `${s.name}@${s.version} is pinned by ${named.length === 1 ? "flow" : "flows"} ${named.slice(0, 5).join(", ")}${named.length > 5 ? ` and ${named.length - 5} more` : ""} (version: ${pins[0]!.spec} at ${pins[0]!.path}); change their version or remove them first`,
          { details: { pins } },
        );
      }
    }
    for (const s of specs)
      uninstallPlugin(ctx.instance.config.pluginsPath, s.name, s.version, ctx.instance.config.bundledPluginsPath);
    for (const s of specs)
      if (ctx.instance.registry.pluginDefault(s.name) === s.version)
        writeDefaultVersion(ctx.instance.config.pluginsPath, s.name, undefined);
    await resync(ctx.instance);
    return { plugins: specs.map((s) => `${s.name}@${s.version}`) };
  },
});

const setDefault = defineRoute({
  method: "PUT",
  url: "/plugins/default-version",
  summary:
    "Set the instance default version of a plugin (the version a task without `version:` gets), or clear it with version null (the plugins.defaultVersion policy applies again). Kept in the plugins folder's defaults.json; takes effect at once. 404 PLUGIN_NOT_FOUND / PLUGIN_VERSION_NOT_FOUND for a plugin or version not installed",
  tags: TAGS,
  body: z.object({
    name: z.string().min(1).describe("The plugin's package name"),
    version: z.string().min(1).nullable().describe("An installed version, or null to clear"),
  }),
  response: {
    200: z.object({ name: z.string(), version: z.string().nullable(), defaults: z.record(z.string(), z.string()) }),
    ...errors(400, 404),
  },
  async handler({ body, ctx }) {
    const { registry } = ctx.instance;
    if (body.name === "core") throw badRequest("The core plugin has one version", "body.name");
    if (body.version === null) {
      if (registry.pluginVersions(body.name).length === 0 && registry.pluginDefault(body.name) === undefined)
        throw new SakerError("PLUGIN_NOT_FOUND", `No plugin named '${body.name}' is installed`);
    } else checkPluginVersion(registry, body.name, body.version);
    const defaults = writeDefaultVersion(ctx.instance.config.pluginsPath, body.name, body.version ?? undefined);
    await resync(ctx.instance);
    return { name: body.name, version: body.version, defaults };
  },
});

const VersionedSchema = z.object({
  defaultVersion: z
    .string()
    .describe("The instance policy (plugins.defaultVersion): LATEST, OLDEST, NONE or a version"),
  plugins: z.array(
    z.object({
      name: z.string(),
      title: z.string().optional(),
      group: z.string().optional(),
      core: z.boolean(),
      defaultVersion: z.string().nullable().describe("The default version set for this plugin, if any"),
      resolvedVersion: z
        .string()
        .nullable()
        .describe("The version a task without version: gets (null when a version is required)"),
      versions: z.array(
        z.object({
          version: z.string(),
          bundled: z.boolean(),
          types: z.array(z.string()),
          pinnedBy: z
            .array(z.object({ namespace: z.string(), flowId: z.string() }))
            .describe("The flows whose version: only this version meets (uninstalling it is refused)"),
        }),
      ),
    }),
  ),
});

const versioned = defineRoute({
  method: "GET",
  url: "/plugins/versioned",
  summary:
    "Plugins × installed versions (the Versioned plugins page): each plugin's versions with their types and the flows that pin them, bundled ones marked, its own default version and the one a task without version: gets",
  tags: TAGS,
  response: { 200: VersionedSchema },
  async handler({ ctx }) {
    const { registry } = ctx.instance;
    const byName = new Map<
      string,
      Map<string, { version: string; bundled: boolean; core: boolean; types: string[]; type: string }>
    >();
    for (const [type, entries] of registry.entries()) {
      for (const e of entries) {
        const versionsOfPlugin = byName.get(e.plugin.name) ?? new Map();
        byName.set(e.plugin.name, versionsOfPlugin);
        const v = versionsOfPlugin.get(e.plugin.version) ?? {
          version: e.plugin.version,
          bundled: e.plugin.bundled === true,
          core: e.plugin.core,
          types: [],
          type,
        };
        v.types.push(type);
        versionsOfPlugin.set(e.plugin.version, v);
      }
    }
    const specs = collectVersionSpecs(ctx.instance.flows.all());
    const pinnedBy = (name: string, version: string) => {
      const flows = new Map<string, { namespace: string; flowId: string }>();
      for (const p of versionPins(specs, registry, name, version))
        flows.set(`${p.namespace}/${p.flowId}`, { namespace: p.namespace, flowId: p.flowId });
      return [...flows.values()];
    };
    const plugins = [...byName].map(([name, versions]) => {
      const ordered = registry.pluginVersions(name).map((v) => versions.get(v)!);
      const latest = ordered[ordered.length - 1]!;
      const info = registry.pluginInfo(name, latest.version);
      let resolvedVersion: string | null;
      try {
        resolvedVersion = registry.resolve(latest.type).plugin.version;
      } catch {
        resolvedVersion = null;
      }
      return {
        name,
        ...(info.title ? { title: info.title } : name === "core" ? { title: "Core" } : {}),
        ...(info.group ? { group: info.group } : {}),
        core: latest.core,
        defaultVersion: registry.pluginDefault(name) ?? null,
        resolvedVersion,
        versions: ordered.map((v) => ({
          version: v.version,
          bundled: v.bundled,
          types: v.types.sort(),
          pinnedBy: v.core ? [] : pinnedBy(name, v.version),
        })),
      };
    });
    plugins.sort((a, b) => (a.core !== b.core ? (a.core ? -1 : 1) : a.name.localeCompare(b.name)));
    return { defaultVersion: registry.defaultVersion, plugins };
  },
});

export const pluginRoutes: AnyRoute[] = [
  list,
  subgroups,
  icons,
  groupIconsRoute,
  inputTypes,
  inputType,
  schemas,
  versions,
  doc,
  versionDoc,
  install,
  upload,
  uninstall,
  setDefault,
  versioned,
];
