/**
 * Bundled first-party plugins: on a fresh data folder, every plugin package of the repository's
 * plugins/ (JDBC, scripts, email) is listed, documented, validated and run with no `plugins install`; the
 * API lists it. A bundled plugins folder is any folder of plugin packages (here a fixture one):
 * its versions take part in pinning and LATEST/OLDEST beside installed ones, and installing the
 * bundled version again gives one entry, no conflict. Real CLI (built packages), real npm.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestInstance, type TestInstance } from "@saker/engine/testing";
import { startServer, type RunningServer } from "@saker/server";
import { ROOT, executionOf, runCli } from "./cli.ts";

let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "saker-bundled-it-"));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function flowFile(name: string, source: string): string {
  const file = join(work, name);
  writeFileSync(file, source);
  return file;
}

type ListEntry = { type: string; plugin: string; versions: string[]; bundled: string[]; default: string };
const listed = (stdout: string, type: string) => (JSON.parse(stdout) as ListEntry[]).find((t) => t.type === type);

const SQLITE_FLOW = `id: bundled_sqlite
namespace: company.team
tasks:
  - id: query
    type: io.kestra.plugin.jdbc.sqlite.Query
    url: "jdbc:sqlite::memory:"
    sql: select 40 + 2 as answer
    fetchType: FETCH_ONE
`;

describe("the repository's plugins, with no install", () => {
  const home = () => join(work, "fresh");

  it("plugins list shows JDBC as bundled, with its workspace version", async () => {
    const version = (JSON.parse(readFileSync(join(ROOT, "plugins/jdbc/package.json"), "utf8")) as { version: string })
      .version;
    const json = await runCli(["plugins", "list", "--json"], { home: home() });
    expect(json.code, json.stderr).toBe(0);
    expect(listed(json.stdout, "io.kestra.plugin.jdbc.sqlite.Query")).toMatchObject({
      plugin: "@saker/plugin-jdbc",
      versions: [version],
      bundled: [version],
      default: version,
    });
    const text = await runCli(["plugins", "list"], { home: home() });
    expect(text.stdout).toMatch(
      new RegExp(
        `io\\.kestra\\.plugin\\.jdbc\\.duckdb\\.Query +task +@saker/plugin-jdbc +${version.replace(/\./g, "\\.")} \\(bundled\\)`,
      ),
    );
  });

  it("plugins doc documents a bundled type", async () => {
    const doc = await runCli(["plugins", "doc", "io.kestra.plugin.jdbc.sqlite.Query"], { home: home() });
    expect(doc.code, doc.stderr).toBe(0);
    expect(doc.stdout).toContain("Plugin: @saker/plugin-jdbc · version 1.0.0 (bundled)");
    expect(doc.stdout).toContain("sql");
  });

  it("a flow with io.kestra.plugin.jdbc.sqlite.Query validates and runs", async () => {
    const file = flowFile("sqlite.yaml", SQLITE_FLOW);
    const validation = await runCli(["flow", "validate", file], { home: home() });
    expect(validation.code, validation.stdout + validation.stderr).toBe(0);
    const result = await runCli(["flow", "run", file, "--json"], { home: home() });
    const execution = executionOf(result);
    expect(execution.state.current, result.stderr).toBe("SUCCESS");
    expect(execution.taskRunList[0].pluginVersion).toBe("@saker/plugin-jdbc@1.0.0");
    expect(execution.taskRunList[0].outputs.row).toEqual({ answer: 42 });
  });

  it("an isolated DuckDB Query (worker thread) writes its input files and stores its output files", async () => {
    const config = flowFile("isolated.yml", "plugins:\n  isolated: [io.kestra.plugin.jdbc.duckdb.Query]\n");
    const file = flowFile(
      "duckdb.yaml",
      `id: isolated_duckdb
namespace: company.team
tasks:
  - id: q
    type: io.kestra.plugin.jdbc.duckdb.Query
    inputFiles:
      data.csv: "id,name\\n1,ada\\n2,bob\\n"
    outputFiles: [out.csv]
    sql: COPY (SELECT upper(name) AS name FROM read_csv_auto('data.csv') ORDER BY id) TO '{{ outputFiles["out.csv"] }}' (HEADER)
`,
    );
    const result = await runCli(["flow", "run", file, "--json"], { home: home(), env: { SAKER_CONFIG: config } });
    const execution = executionOf(result);
    expect(execution.state.current, result.stderr).toBe("SUCCESS");
    const uri = execution.taskRunList[0].outputs.outputFiles["out.csv"] as string;
    expect(readFileSync(join(home(), "storage", uri.replace(/^kestra:\/\/\//, "")), "utf8")).toBe("name\nADA\nBOB\n");
  });

  it("the Email plugin is bundled: MailSend is listed, and a flow with it and its older id validates", async () => {
    const json = await runCli(["plugins", "list", "--json"], { home: home() });
    expect(json.code, json.stderr).toBe(0);
    expect(listed(json.stdout, "io.kestra.plugin.email.MailSend")).toMatchObject({
      plugin: "@saker/plugin-email",
      bundled: ["1.0.0"],
    });
    const file = flowFile(
      "mail.yaml",
      `id: bundled_mail
namespace: company.team
tasks:
  - id: mail
    type: io.kestra.plugin.email.MailSend
    host: smtp.example.com
    from: a@example.com
    to: [b@example.com]
    subject: hello
  - id: older
    type: io.kestra.plugin.notifications.mail.MailSend
    host: smtp.example.com
    from: a@example.com
    to: b@example.com
`,
    );
    const validation = await runCli(["flow", "validate", file], { home: home() });
    expect(validation.code, validation.stdout + validation.stderr).toBe(0);
  });

  it("a bundled version cannot be uninstalled: the error says it is bundled", async () => {
    const result = await runCli(["plugins", "uninstall", "@saker/plugin-jdbc@1.0.0"], { home: home() });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("@saker/plugin-jdbc@1.0.0 is bundled with Saker and cannot be uninstalled");
  });
});

describe("GET /api/v1/plugins on a server with the default configuration", () => {
  let test: TestInstance;
  let server: RunningServer;

  beforeAll(async () => {
    test = await openTestInstance({ env: { SAKER_PLUGINS_BUNDLED_PATH: undefined } });
    server = await startServer(test.instance, { port: 0 });
  });
  afterAll(async () => {
    await server?.close();
    await test?.close();
  });

  it("lists JDBC as bundled, documents its types, and refuses to uninstall it", async () => {
    const plugins = (await (await fetch(`${server.url}/api/v1/plugins`)).json()) as {
      name: string;
      version: string;
      bundled: boolean;
      core: boolean;
      tasks: { cls: string }[];
    }[];
    const jdbc = plugins.find((p) => p.name === "@saker/plugin-jdbc");
    expect(jdbc).toMatchObject({ version: "1.0.0", bundled: true, core: false });
    expect(jdbc?.tasks.map((e) => e.cls)).toContain("io.kestra.plugin.jdbc.duckdb.Query");
    expect(jdbc).toMatchObject({ group: "io.kestra.plugin.jdbc", categories: ["DATABASE"] });
    expect(plugins.find((p) => p.core)).toMatchObject({ bundled: false });
    const doc = await fetch(`${server.url}/api/v1/plugins/io.kestra.plugin.jdbc.duckdb.Query`);
    expect(doc.status).toBe(200);
    expect(((await doc.json()) as { markdown: string }).markdown).toContain("version 1.0.0 (bundled)");
    const removal = await fetch(`${server.url}/api/v1/plugins/uninstall`, {
      method: "DELETE",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ plugins: ["@saker/plugin-jdbc@1.0.0"] }),
    });
    expect(removal.status).toBe(409);
    expect(((await removal.json()) as { message: string }).message).toContain("is bundled with Saker");
  });
});

describe("a bundled plugins folder beside installed versions", () => {
  const home = () => join(work, "side-by-side");
  const env = { SAKER_PLUGINS_BUNDLED_PATH: join(ROOT, "test/fixtures/bundled") };
  const TYPE = "com.example.bundled.Hello";

  /** The fixture with another version number, and an output that tells it apart. */
  function stage(version: string): string {
    const dir = join(work, `hello-${version}`);
    cpSync(join(ROOT, "test/fixtures/bundled/hello"), dir, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Record<string, unknown>;
    writeFileSync(join(dir, "package.json"), JSON.stringify({ ...manifest, version }));
    writeFileSync(
      join(dir, "index.js"),
      readFileSync(join(dir, "index.js"), "utf8").replace('version: "1.0.0"', `version: "${version}"`),
    );
    return dir;
  }

  it("any plugin package in the folder is picked up, with no code change", async () => {
    const list = await runCli(["plugins", "list", "--json"], { home: home(), env });
    expect(listed(list.stdout, TYPE)).toMatchObject({
      plugin: "saker-plugin-hello-bundled",
      versions: ["1.0.0"],
      bundled: ["1.0.0"],
    });
  });

  it("installing the bundled version again gives one entry, no conflict", async () => {
    const installed = await runCli(["plugins", "install", join(ROOT, "test/fixtures/bundled/hello")], {
      home: home(),
      env,
    });
    expect(installed.code, installed.stderr).toBe(0);
    expect(installed.stderr).toContain(
      "saker-plugin-hello-bundled@1.0.0 is also bundled with Saker; the bundled copy is the one used",
    );
    const list = await runCli(["plugins", "list", "--json"], { home: home(), env });
    expect(list.stderr).toBe("");
    expect(listed(list.stdout, TYPE)).toMatchObject({ versions: ["1.0.0"], bundled: ["1.0.0"] });
    // Removing the installed copy leaves the bundled one.
    const removed = await runCli(["plugins", "uninstall", "saker-plugin-hello-bundled@1.0.0"], { home: home(), env });
    expect(removed.code, removed.stderr).toBe(0);
    expect(listed((await runCli(["plugins", "list", "--json"], { home: home(), env })).stdout, TYPE)).toMatchObject({
      versions: ["1.0.0"],
      bundled: ["1.0.0"],
    });
  }, 120_000);

  it("other versions install side by side; each is pinned with version:, LATEST and OLDEST see the bundled one", async () => {
    const installed = await runCli(["plugins", "install", stage("0.9.0"), stage("2.0.0")], { home: home(), env });
    expect(installed.code, installed.stderr).toBe(0);
    const list = await runCli(["plugins", "list", "--json"], { home: home(), env });
    expect(listed(list.stdout, TYPE)).toMatchObject({
      versions: ["0.9.0", "1.0.0", "2.0.0"],
      bundled: ["1.0.0"],
      default: "2.0.0",
    });
    const flow = `id: pinned
namespace: company.team
tasks:
  - { id: bundled, type: ${TYPE}, version: "1.0.0" }
  - { id: old, type: ${TYPE}, version: "0.9.0" }
  - { id: latest, type: ${TYPE}, version: LATEST }
  - { id: oldest, type: ${TYPE}, version: OLDEST }
  - { id: range, type: ${TYPE}, version: "^1" }
  - { id: unpinned, type: ${TYPE} }
`;
    const result = await runCli(["flow", "run", flowFile("pinned.yaml", flow), "--json"], { home: home(), env });
    const execution = executionOf(result);
    expect(execution.state.current, result.stderr).toBe("SUCCESS");
    const versions = Object.fromEntries(
      execution.taskRunList.map((t: { taskId: string; outputs: { version: string } }) => [t.taskId, t.outputs.version]),
    );
    expect(versions).toEqual({
      bundled: "1.0.0",
      old: "0.9.0",
      latest: "2.0.0",
      oldest: "0.9.0",
      range: "1.0.0",
      unpinned: "2.0.0",
    });
    const oldestByDefault = await runCli(
      [
        "flow",
        "run",
        flowFile("unpinned.yaml", `id: unpinned\nnamespace: company.team\ntasks:\n  - { id: t, type: ${TYPE} }\n`),
        "--json",
      ],
      { home: home(), env: { ...env, SAKER_PLUGINS_DEFAULT_VERSION: "OLDEST" } },
    );
    expect(executionOf(oldestByDefault).taskRunList[0].outputs.version).toBe("0.9.0");
  }, 180_000);
});
