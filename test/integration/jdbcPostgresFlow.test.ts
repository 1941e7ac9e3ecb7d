/**
 * Issue 5's acceptance test, with issue 10's bundled plugins: JDBC 1.0.0 is bundled (the
 * repository's plugins/jdbc); `saker plugins install ./plugins/jdbc` still works and gives one
 * 1.0.0 entry, and a 1.1.0 staged from the same build and packed as an npm tarball installs side
 * by side, with the real CLI and npm. Then a PostgreSQL STORE flow run with secrets, pinned to 1.0.0. Needs the built packages (npm run build) and
 * PostgreSQL on 127.0.0.1:5432 (database test, user postgres, trust auth); with CI=true a missing
 * PostgreSQL fails the test, locally it is skipped.
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serviceAvailable } from "../../plugins/jdbc/test/support.ts";
import { ROOT, executionOf, runCli } from "./cli.ts";

const FLOW = `id: postgres_query
namespace: company.team
tasks:
- id: fetch
  type: io.kestra.plugin.jdbc.postgresql.Query
  version: "1.0.0"
  url: jdbc:postgresql://127.0.0.1:5432/test
  username: "{{ secret('POSTGRES_USERNAME') }}"
  password: "{{ secret('POSTGRES_PASSWORD') }}"
  sql: select * from orders limit 1000
  fetchType: STORE
`;

const SECRETS = {
  SECRET_POSTGRES_USERNAME: Buffer.from("postgres").toString("base64"),
  SECRET_POSTGRES_PASSWORD: Buffer.from("x").toString("base64"),
};

const up = await serviceAvailable("PostgreSQL", "127.0.0.1", 5432);

let work: string;
let home: string;

function pack(dir: string): string {
  const out = execFileSync("npm", ["pack", dir, "--pack-destination", work, "--json"], { encoding: "utf8" });
  return join(work, (JSON.parse(out) as { filename: string }[])[0]!.filename);
}

/** 1.1.0: the same build with another version number, a log line that tells it apart and only the PostgreSQL drivers. */
function stageNextVersion(): string {
  const stage = join(work, "stage");
  cpSync(join(ROOT, "plugins/jdbc/dist"), join(stage, "dist"), { recursive: true });
  const manifest = JSON.parse(readFileSync(join(ROOT, "plugins/jdbc/package.json"), "utf8")) as Record<string, unknown>;
  // The flows here use PostgreSQL only; leaving out the drivers that npm would compile from source
  // (better-sqlite3) or fetch (DuckDB) keeps the install short. Both are loaded on first use.
  const dependencies = { ...(manifest.dependencies as Record<string, string>) };
  delete dependencies["better-sqlite3"];
  delete dependencies["@duckdb/node-api"];
  writeFileSync(join(stage, "package.json"), JSON.stringify({ ...manifest, version: "1.1.0", dependencies }, null, 2));
  const run = join(stage, "dist/core/run.js");
  writeFileSync(run, readFileSync(run, "utf8").replace('"Starting query: {}"', '"Starting query (1.1.0): {}"'));
  return stage;
}

/**
 * better-sqlite3's install script (`prebuild-install || node-gyp rebuild`) downloads a prebuilt
 * binary from GitHub, and compiles SQLite from source (minutes on two cores) when it cannot. The
 * workspace already holds that binary, built for this Node: packed as a prebuild-install tarball in
 * a local prebuilds folder (prebuild-install's own \`<package>_local_prebuilds\` setting), npm's
 * install and the package's install script run exactly as for a user, only the download is local.
 * Another better-sqlite3 version than the workspace's finds no tarball and compiles, as before.
 */
function localPrebuilds(): Record<string, string> {
  const manifestPath = createRequire(join(ROOT, "plugins/jdbc/package.json")).resolve("better-sqlite3/package.json");
  const { name, version } = JSON.parse(readFileSync(manifestPath, "utf8")) as { name: string; version: string };
  const dir = join(work, "prebuilds");
  mkdirSync(dir, { recursive: true });
  const tarball = `${name}-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  execFileSync("tar", ["-czf", join(dir, tarball), "-C", dirname(manifestPath), "build/Release/better_sqlite3.node"]);
  return { npm_config_better_sqlite3_local_prebuilds: dir };
}

describe.skipIf(!up)("JDBC plugin installed from tarballs", () => {
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "saker-jdbc-it-"));
    home = join(work, "home");
    execFileSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-b", join(ROOT, "plugins/jdbc")], {
      stdio: "inherit",
    });
    const started = Date.now();
    const installed = await runCli(["plugins", "install", "./plugins/jdbc", pack(stageNextVersion())], {
      home,
      env: localPrebuilds(),
      timeoutMs: 900_000,
      cwd: ROOT,
    });
    console.log(`plugins install of ./plugins/jdbc and 1.1.0 took ${((Date.now() - started) / 1000).toFixed(0)} s`);
    expect(installed.code, installed.stderr).toBe(0);
    expect(installed.stderr).toContain(
      "@saker/plugin-jdbc@1.0.0 is also bundled with Saker; the bundled copy is the one used",
    );
    const admin = new pg.Client({ host: "127.0.0.1", port: 5432, user: "postgres", database: "test" });
    await admin.connect();
    try {
      await admin.query(`drop table if exists orders; create table orders as
        select g as id, 'customer ' || (g % 97) as customer, round((g % 1000) / 3.0, 2)::numeric(10,2) as amount,
               timestamptz '2024-01-01 00:00:00+00' + g * interval '1 hour' as created_at
        from generate_series(1, 2500) g`);
    } finally {
      await admin.end();
    }
  }, 900_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("lists both versions side by side, 1.0.0 once, as bundled", async () => {
    const list = await runCli(["plugins", "list", "--json"], { home });
    expect(list.stderr).toBe("");
    const query = (JSON.parse(list.stdout) as { type: string; versions: string[]; bundled: string[] }[]).find(
      (t) => t.type === "io.kestra.plugin.jdbc.postgresql.Query",
    );
    expect(query).toMatchObject({ versions: ["1.0.0", "1.1.0"], bundled: ["1.0.0"] });
  });

  it("runs the flow with 1.0.0: SUCCESS, the rows stored as Ion, secrets resolved", async () => {
    const file = join(work, "postgres_query.yaml");
    writeFileSync(file, FLOW);
    const result = await runCli(["flow", "run", file, "--json"], { home, env: SECRETS });
    const execution = executionOf(result);
    expect(execution.state.current, result.stderr).toBe("SUCCESS");
    const run = execution.taskRunList.find((t: { taskId: string }) => t.taskId === "fetch");
    expect(run.pluginVersion).toBe("@saker/plugin-jdbc@1.0.0");
    expect(run.outputs.size).toBe(1000);
    expect(run.outputs.uri).toMatch(
      /^kestra:\/\/\/company\/team\/.+\/executions\/[\w-]+\/tasks\/fetch\/[\w-]+\/[\w-]+-result\.ion$/,
    );
    expect(result.stderr).toContain("Starting query: select * from orders limit 1000");
    // The file, found by its path (the engine masks secret values in outputs, and the secret
    // 'postgres' also appears in the flow id).
    const dir = join(home, "storage/company/team/postgres_query/executions", execution.id, "tasks/fetch", run.id);
    const [name] = readdirSync(dir);
    const lines = readFileSync(join(dir, name!), "utf8").trimEnd().split("\n");
    expect(lines).toHaveLength(1000);
    expect(lines[0]).toMatch(
      /^\{id:\d+,customer:"customer \d+",amount:\d+\.\d\d,created_at:ZonedDateTime::"2024-01-\d\dT\d\d:00:00(Z|[+-]\d\d:\d\d)\[[^\]]+\]"\}$/,
    );
  }, 120_000);

  it("runs 1.1.0 when the flow does not pin a version", async () => {
    const file = join(work, "latest.yaml");
    writeFileSync(file, FLOW.replace('  version: "1.0.0"\n', "").replace("postgres_query", "latest_query"));
    const result = await runCli(["flow", "run", file, "--json"], { home, env: SECRETS });
    const execution = executionOf(result);
    expect(execution.state.current, result.stderr).toBe("SUCCESS");
    expect(execution.taskRunList[0].pluginVersion).toBe("@saker/plugin-jdbc@1.1.0");
    expect(result.stderr).toContain("Starting query (1.1.0): select * from orders limit 1000");
  }, 120_000);
});
