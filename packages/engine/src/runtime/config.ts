/**
 * Instance configuration: one YAML file (`saker.yml`, or `--config`), every key overridable by an
 * environment variable (`SAKER_WORKER_CONCURRENCY` for `worker.concurrency`), parsed once into
 * a `CompiledConfig`. Nothing else reads `process.env`.
 */
import { existsSync, readFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { AddressPolicy, DEFAULT_REFUSED_ADDRESSES, isDuration, parseDuration, SakerError, z } from "@saker/sdk";
import YAML from "yaml";
import { DEFAULT_DATA_LIMITS } from "../model/dataLimits.ts";
import { DEFAULT_LIMITS } from "../expression/limits.ts";
import { PluginDefaultsSchema } from "../model/flowSchema.ts";
import { StorageConfigSchema } from "../storage/s3Config.ts";
import { defaultBundledDir } from "../plugins/bundled.ts";

/** An ISO-8601 duration (`PT45S`), as Kestra writes its server settings (`parseDuration` where used). */
const DurationSetting = (fallback: string) =>
  z
    .string()
    .refine((v) => isDuration(v) && parseDuration(v) > 0, {
      message: "must be a positive ISO-8601 duration (e.g. PT45S)",
    })
    .default(fallback);

/**
 * Liveness of the processes sharing a PostgreSQL database (Kestra's `kestra.server.liveness`):
 * each beats every `heartbeatInterval`; every `interval` (after `initialDelay`) each process looks
 * for those silent longer than `timeout` and declares them dead.
 */
const LivenessConfig = z.strictObject({
  enabled: z.coerce.boolean().default(true),
  interval: DurationSetting("PT10S"),
  timeout: DurationSetting("PT45S"),
  initialDelay: DurationSetting("PT45S"),
  heartbeatInterval: DurationSetting("PT3S"),
});

export const WORKER_TASK_RESTART_STRATEGIES = ["AFTER_TERMINATION_GRACE_PERIOD", "IMMEDIATELY", "NEVER"] as const;

const ServerConfig = z.strictObject({
  port: z.coerce.number().int().min(0).max(65535).default(8080),
  host: z.string().default("127.0.0.1"),
  /** Public base URL of this instance (Kestra's `kestra.url`), for links in notifications. */
  url: z.string().optional(),
  basicAuth: z
    .strictObject({
      enabled: z.coerce.boolean().optional(),
      users: z.array(z.strictObject({ username: z.string(), passwordHash: z.string() })).default([]),
    })
    .default({ users: [] }),
  maxRequestSize: z.coerce
    .number()
    .int()
    .default(100 * 1024 * 1024),
  liveness: LivenessConfig.default({
    enabled: true,
    interval: "PT10S",
    timeout: "PT45S",
    initialDelay: "PT45S",
    heartbeatInterval: "PT3S",
  }),
  /** What becomes of the task runs of a worker declared dead (Kestra's `workerTaskRestartStrategy`). */
  workerTaskRestartStrategy: z.enum(WORKER_TASK_RESTART_STRATEGIES).default("AFTER_TERMINATION_GRACE_PERIOD"),
  /** How long a dead worker's task runs wait before they are given to another worker. */
  terminationGracePeriod: DurationSetting("PT5M"),
  /** The worker group of this process's worker (`saker server worker --worker-group`): it takes only that group's tasks. */
  workerGroup: z.string().min(1).optional(),
});

const PluginsConfig = z.strictObject({
  path: z.string().optional(),
  /** The folder of bundled plugin packages (default: the repository's `plugins/`); empty: none. */
  bundledPath: z.string().optional(),
  defaultVersion: z.string().default("LATEST"),
  defaults: PluginDefaultsSchema.default([]),
  configurations: z.array(z.strictObject({ type: z.string(), values: z.record(z.string(), z.unknown()) })).default([]),
  /** Type ids or prefixes whose tasks always run in an isolated worker thread. */
  isolated: z.array(z.string()).default([]),
});

/** Budgets of expression rendering (see RenderLimits in expression/evaluator.ts for each one). */
const ExpressionsConfig = z.strictObject({
  evaluationTimeoutMs: z.coerce.number().int().min(1).default(DEFAULT_LIMITS.evaluationTimeoutMs),
  jqTimeoutMs: z.coerce.number().int().min(1).default(DEFAULT_LIMITS.jqTimeoutMs),
  jqMemoryMb: z.coerce.number().int().min(16).default(DEFAULT_LIMITS.jqMemoryMb),
  maxIterations: z.coerce.number().int().min(1).default(DEFAULT_LIMITS.maxIterations),
  maxOutputSize: z.coerce.number().int().min(1).default(DEFAULT_LIMITS.maxOutputSize),
  maxRangeSize: z.coerce.number().int().min(1).default(DEFAULT_LIMITS.maxRangeSize),
  maxCollectionSize: z.coerce.number().int().min(1).default(DEFAULT_LIMITS.maxCollectionSize),
  maxDepth: z.coerce.number().int().min(1).default(DEFAULT_LIMITS.maxDepth),
  /**
   * What `kv()` does with a missing key when the call does not say (`errorOnMissing`): fail, as
   * Kestra does since 0.22, or (false) return null as Kestra 0.21 did.
   */
  kvErrorOnMissing: z.union([z.boolean(), z.enum(["true", "false"]).transform((v) => v === "true")]).default(true),
  /** Milliseconds an `http()` call may take, and bytes its response may hold. */
  httpTimeoutMs: z.coerce.number().int().min(1).default(10_000),
  httpMaxResponseBytes: z.coerce
    .number()
    .int()
    .min(1)
    .default(10 * 1024 * 1024),
});

/** Where tasks may connect (see the SDK's outbound.ts). */
const HttpConfig = z.strictObject({
  /** CIDR ranges no task may connect to; a string is a comma-separated list (environment variable). */
  refusedAddresses: z
    .preprocess(
      (v) =>
        typeof v === "string"
          ? v
              .split(",")
              .map((x) => x.trim())
              .filter(Boolean)
          : v,
      z.array(
        z.string().refine(
          (cidr) => {
            try {
              new AddressPolicy([cidr]);
              return true;
            } catch {
              return false;
            }
          },
          { message: "must be an address or a CIDR range (e.g. 169.254.0.0/16, fe80::/10)" },
        ),
      ),
    )
    .default([...DEFAULT_REFUSED_ADDRESSES]),
});

/**
 * Where the engine keeps its state: the embedded SQLite file (default), or a PostgreSQL database
 * shared by several processes (`url`, and the `schema` holding the tables, `public` by default).
 */
const DatabaseConfig = z
  .strictObject({
    type: z.enum(["sqlite", "postgres"], { message: "must be 'sqlite' or 'postgres'" }).default("sqlite"),
    /** SQLite: the database file (default `<home>/saker.db`). */
    file: z.string().optional(),
    /** PostgreSQL: `postgres://user:password@host:port/database`. */
    url: z.string().optional(),
    /** PostgreSQL: the schema of Saker's tables (created when missing). */
    schema: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, { message: "must be a plain SQL identifier (letters, digits, _)" })
      .optional(),
    /** PostgreSQL: connections in the pool. */
    poolSize: z.coerce.number().int().min(2).max(1000).optional(),
  })
  .superRefine((db, ctx) => {
    if (db.type !== "postgres") return;
    if (!db.url) {
      ctx.addIssue({
        code: "custom",
        path: ["url"],
        message: "is required with type 'postgres' (postgres://user:password@host:port/database)",
      });
      return;
    }
    let protocol: string | undefined;
    try {
      protocol = new URL(db.url).protocol;
    } catch {
      protocol = undefined;
    }
    if (protocol !== "postgres:" && protocol !== "postgresql:") {
      // never the value itself: it may hold a password
      ctx.addIssue({ code: "custom", path: ["url"], message: "must be a postgres:// or postgresql:// URL" });
    }
  });

export const ConfigSchema = z.strictObject({
  home: z.string().optional(),
  tenantId: z.string().default("main"),
  storage: StorageConfigSchema.default({ type: "local" }),
  database: DatabaseConfig.default({ type: "sqlite" }),
  worker: z
    .strictObject({
      concurrency: z.coerce
        .number()
        .int()
        .min(1)
        .default(Math.max(8, cpus().length * 4)),
      tmpDir: z.string().optional(),
    })
    .default({ concurrency: Math.max(8, cpus().length * 4) }),
  server: ServerConfig.default({
    port: 8080,
    host: "127.0.0.1",
    basicAuth: { users: [] },
    maxRequestSize: 100 * 1024 * 1024,
    liveness: {
      enabled: true,
      interval: "PT10S",
      timeout: "PT45S",
      initialDelay: "PT45S",
      heartbeatInterval: "PT3S",
    },
    workerTaskRestartStrategy: "AFTER_TERMINATION_GRACE_PERIOD",
    terminationGracePeriod: "PT5M",
  }),
  plugins: PluginsConfig.default({ defaultVersion: "LATEST", defaults: [], configurations: [], isolated: [] }),
  secrets: z.strictObject({ file: z.string().optional() }).default({}),
  encryption: z.strictObject({ secretKey: z.string().optional() }).default({}),
  variables: z
    .strictObject({
      envVarsPrefix: z.string().default("ENV_"),
      globals: z.record(z.string(), z.unknown()).default({}),
    })
    .default({ envVarsPrefix: "ENV_", globals: {} }),
  executor: z
    .strictObject({
      fetchLimit: z.coerce.number().int().min(1).default(200),
      /** An execution whose work was interrupted by this many abrupt stops is failed, not resumed (0: never). */
      maxAbruptStops: z.coerce.number().int().min(0).default(3),
    })
    .default({ fetchLimit: 200, maxAbruptStops: 3 }),
  /** Limits on user YAML and JSON (flows, inputs, KV values, request bodies): see model/dataLimits.ts. */
  limits: z
    .strictObject({
      maxDepth: z.coerce.number().int().min(8).max(1000).default(DEFAULT_DATA_LIMITS.maxDepth),
      maxAliases: z.coerce.number().int().min(0).default(DEFAULT_DATA_LIMITS.maxAliases),
      maxYamlBytes: z.coerce.number().int().min(1024).default(DEFAULT_DATA_LIMITS.maxYamlBytes),
      maxFlowBytes: z.coerce.number().int().min(1024).default(DEFAULT_DATA_LIMITS.maxFlowBytes),
    })
    .default({ ...DEFAULT_DATA_LIMITS }),
  http: HttpConfig.default({ refusedAddresses: [...DEFAULT_REFUSED_ADDRESSES] }),
  expressions: ExpressionsConfig.default({
    ...DEFAULT_LIMITS,
    kvErrorOnMissing: true,
    httpTimeoutMs: 10_000,
    httpMaxResponseBytes: 10 * 1024 * 1024,
  }),
});

export type SakerConfig = z.output<typeof ConfigSchema>;

export interface CompiledConfig extends SakerConfig {
  home: string;
  databaseFile: string;
  storagePath: string;
  pluginsPath: string;
  /** The folder of bundled plugin packages, or none. */
  bundledPluginsPath: string | undefined;
  tmpDir: string;
  /** The environment the instance was started with (for `SECRET_*` and `envs`). */
  env: Readonly<Record<string, string | undefined>>;
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const part of path.slice(0, -1)) {
    if (typeof node[part] !== "object" || node[part] === null) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

/** `SAKER_WORKER_CONCURRENCY=4` → `{worker: {concurrency: "4"}}`, matching keys case-insensitively. */
function envOverrides(env: Readonly<Record<string, string | undefined>>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  const keys = collectKeys(ConfigSchema, []);
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith("SAKER_") || value === undefined) continue;
    const flat = name.slice("SAKER_".length).toLowerCase().replace(/_/g, "");
    const path = keys.find((k) => k.join("").toLowerCase() === flat);
    if (path) setPath(result, path, value);
  }
  return result;
}

function collectKeys(schema: z.ZodType, prefix: string[]): string[][] {
  let current = schema as unknown as {
    _zod: { def: { type: string; innerType?: z.ZodType; shape?: Record<string, z.ZodType> } };
  };
  while (current._zod.def.innerType) current = current._zod.def.innerType as never;
  const shape = current._zod.def.shape;
  if (current._zod.def.type !== "object" || !shape) return [prefix];
  return Object.entries(shape).flatMap(([key, child]) => collectKeys(child, [...prefix, key]));
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out = { ...base };
  for (const [k, v] of Object.entries(over)) {
    out[k] =
      v && typeof v === "object" && !Array.isArray(v) && out[k] && typeof out[k] === "object"
        ? deepMerge(out[k] as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

export interface LoadConfigOptions {
  /** A config file; without it, `saker.yml` in the working directory when present. */
  file?: string;
  env?: Readonly<Record<string, string | undefined>>;
  /** Values that win over the file and the environment (CLI flags). */
  overrides?: Record<string, unknown>;
  cwd?: string;
}

export function loadConfig(options: LoadConfigOptions = {}): CompiledConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const file =
    options.file ?? (env.SAKER_CONFIG || (existsSync(join(cwd, "saker.yml")) ? join(cwd, "saker.yml") : undefined));
  let fromFile: Record<string, unknown> = {};
  if (file) {
    try {
      fromFile = (YAML.parse(readFileSync(file, "utf8")) ?? {}) as Record<string, unknown>;
    } catch (error) {
      throw new SakerError(
        "CONFIG_INVALID",
        `Unable to read the configuration file '${file}': ${(error as Error).message}`,
      );
    }
  }
  const merged = deepMerge(deepMerge(fromFile, envOverrides(env)), options.overrides ?? {});
  const parsed = ConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new SakerError(
      "CONFIG_INVALID",
      `Invalid configuration${file ? ` in '${file}'` : ""}: ${problems.join("; ")}`,
    );
  }
  const config = parsed.data;
  const home = resolve(cwd, config.home ?? env.SAKER_HOME ?? ".saker");
  const at = (p: string | undefined, fallback: string) => (p ? (isAbsolute(p) ? p : resolve(cwd, p)) : fallback);
  return {
    ...config,
    home,
    databaseFile: at(config.database.file, join(home, "saker.db")),
    storagePath: at(config.storage.path, join(home, "storage")),
    pluginsPath: at(config.plugins.path, join(home, "plugins")),
    bundledPluginsPath:
      config.plugins.bundledPath === undefined
        ? defaultBundledDir()
        : config.plugins.bundledPath.trim() === ""
          ? undefined
          : at(config.plugins.bundledPath, ""),
    tmpDir: at(config.worker.tmpDir, join(tmpdir(), `saker-${process.pid}`)),
    env,
  };
}
