/** The cluster commands of the CLI without a cluster: help, and the clear errors off PostgreSQL. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../integration/cli.ts";

const work = mkdtempSync(join(tmpdir(), "saker-cluster-cli-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("saker server <component> and saker cluster", () => {
  it("describes each component, with the worker's concurrency and group", async () => {
    const worker = await runCli(["server", "worker", "--help"]);
    expect(worker.code).toBe(0);
    expect(worker.stdout).toContain("--concurrency <n>");
    expect(worker.stdout).toContain("--worker-group <key>");
    const server = await runCli(["server", "--help"]);
    for (const component of ["local", "executor", "worker", "scheduler", "webserver", "standalone"])
      expect(server.stdout).toMatch(new RegExp(`\\b${component}\\b`));
  });

  it("refuses to run a component, or list a cluster, on the embedded database", async () => {
    const home = join(work, "home");
    for (const component of ["executor", "worker", "scheduler", "webserver", "standalone"]) {
      const result = await runCli(["server", component], { home });
      expect(result.code, component).toBe(1);
      expect(result.stderr).toContain(`saker server ${component} runs in a cluster and needs a shared database`);
      expect(result.stderr).toContain("[CONFIG_INVALID]");
    }
    const list = await runCli(["cluster", "list"], { home });
    expect(list.code).toBe(1);
    expect(list.stderr).toContain("database.type to 'postgres'");
  });

  it("says which liveness setting is wrong", async () => {
    const config = join(work, "bad.yml");
    writeFileSync(
      config,
      "database:\n  type: postgres\n  url: postgres://127.0.0.1:1/none\nserver:\n  liveness:\n    timeout: 45s\n  workerTaskRestartStrategy: SOMETIMES\n",
    );
    const result = await runCli(["server", "executor", "-c", config]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("server.liveness.timeout");
    expect(result.stderr).toContain("server.workerTaskRestartStrategy");
  });
});
