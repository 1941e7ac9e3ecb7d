/** The API shapes the admin pages read (plugins, KV, triggers, stats, namespaces). */

export interface VersionedPlugin {
  name: string;
  title?: string;
  group?: string;
  core: boolean;
  /** The default version set for this plugin, if any. */
  defaultVersion: string | null;
  /** The version a task without `version:` gets (null when one is required). */
  resolvedVersion: string | null;
  versions: {
    version: string;
    bundled: boolean;
    types: string[];
    /** The flows whose `version:` only this version meets. */
    pinnedBy: { namespace: string; flowId: string }[];
  }[];
}

export interface VersionedPlugins {
  /** The instance policy (plugins.defaultVersion). */
  defaultVersion: string;
  plugins: VersionedPlugin[];
}

export interface InstalledVersion {
  name: string;
  version: string;
  types: string[];
}

export interface PluginElement {
  cls: string;
  title?: string;
  description?: string;
  deprecated?: boolean;
}

export interface PluginSummary {
  name: string;
  title: string;
  description?: string;
  group: string;
  version: string;
  tasks: PluginElement[];
  triggers: PluginElement[];
  conditions: PluginElement[];
  core: boolean;
  bundled: boolean;
  subGroup?: string;
}

export interface PluginDoc {
  markdown: string;
  schema: {
    properties: JsonSchema;
    outputs: JsonSchema;
    definitions?: Record<string, unknown>;
  };
}

export interface JsonSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  additionalProperties?: boolean | JsonSchema;
  $dynamic?: boolean;
  examples?: unknown[];
  [key: string]: unknown;
}
