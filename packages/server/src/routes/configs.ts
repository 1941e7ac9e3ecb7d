/**
 * `GET /configs`: the first call of Kestra's web UI, answered with the shape of Kestra's
 * open-source configuration (the features Saker leaves out are `false`).
 */
import { createHash } from "node:crypto";
import { z } from "@saker/sdk";
import { defineRoute, type AnyRoute } from "../http/route.ts";

const SAKER_VERSION = "0.1.0";

const ConfigurationSchema = z.object({
  uuid: z.string(),
  version: z.string(),
  edition: z.literal("OSS"),
  commitId: z.string().nullable(),
  commitDate: z.string().nullable(),
  isCustomDashboardsEnabled: z.boolean(),
  isTaskRunEnabled: z.boolean(),
  isAnonymousUsageEnabled: z.boolean(),
  isUiAnonymousUsageEnabled: z.boolean(),
  isTemplateEnabled: z.boolean(),
  url: z.string().nullable(),
  preview: z.object({ initial: z.number(), max: z.number() }),
  isBasicAuthEnabled: z.boolean(),
  isBasicAuthInitialized: z.boolean(),
  systemNamespace: z.string(),
  hiddenLabelsPrefixes: z.array(z.string()),
  resourceToFilters: z.array(z.unknown()),
  isAiEnabled: z.boolean(),
});

/** A stable id per data folder, in UUID form (Kestra keeps one per instance). */
function instanceUuid(home: string): string {
  const h = createHash("sha256").update(`saker:${home}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

const configs = defineRoute({
  method: "GET",
  url: "/configs",
  summary: "The server's configuration, as Kestra's web UI reads it",
  tags: ["Misc"],
  response: { 200: ConfigurationSchema },
  async handler({ ctx }) {
    const { config } = ctx.instance;
    const auth = config.server.basicAuth.users.length > 0;
    return {
      uuid: instanceUuid(config.home),
      version: SAKER_VERSION,
      edition: "OSS",
      commitId: null,
      commitDate: null,
      isCustomDashboardsEnabled: false,
      isTaskRunEnabled: false,
      isAnonymousUsageEnabled: false,
      isUiAnonymousUsageEnabled: false,
      isTemplateEnabled: false,
      url: null,
      preview: { initial: 100, max: 5000 },
      isBasicAuthEnabled: auth,
      isBasicAuthInitialized: auth,
      systemNamespace: "system",
      hiddenLabelsPrefixes: [],
      resourceToFilters: [],
      isAiEnabled: false,
    };
  },
});

export const configRoutes: readonly AnyRoute[] = [configs];
