import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.ts";

describe("loadConfig", () => {
  it("reads SAKER_* variables into nested keys and resolves folders under the home", () => {
    const config = loadConfig({
      env: { SAKER_HOME: "/data/saker", SAKER_WORKER_CONCURRENCY: "3", SAKER_PLUGINS_DEFAULTVERSION: "OLDEST" },
      cwd: "/tmp",
    });
    expect(config.home).toBe("/data/saker");
    expect(config.worker.concurrency).toBe(3);
    expect(config.plugins.defaultVersion).toBe("OLDEST");
    expect(config.databaseFile).toBe("/data/saker/saker.db");
    expect(config.storagePath).toBe("/data/saker/storage");
  });

  it("names the bad key", () => {
    expect(() => loadConfig({ env: {}, overrides: { worker: { concurrency: 0 } }, cwd: "/tmp" })).toThrow(
      /worker\.concurrency/,
    );
    expect(() => loadConfig({ env: {}, overrides: { unknownKey: 1 }, cwd: "/tmp" })).toThrow(/Invalid configuration/);
  });

  it("refuses link-local and unspecified addresses by default; http.refusedAddresses takes a list or a comma-separated variable", () => {
    expect(loadConfig({ env: {}, cwd: "/tmp" }).http.refusedAddresses).toContain("169.254.0.0/16");
    expect(
      loadConfig({ env: { SAKER_HTTP_REFUSEDADDRESSES: "127.0.0.0/8, ::1/128" }, cwd: "/tmp" }).http.refusedAddresses,
    ).toEqual(["127.0.0.0/8", "::1/128"]);
    expect(
      loadConfig({ env: {}, overrides: { http: { refusedAddresses: [] } }, cwd: "/tmp" }).http.refusedAddresses,
    ).toEqual([]);
    expect(() =>
      loadConfig({ env: {}, overrides: { http: { refusedAddresses: ["10.0.0.0/99"] } }, cwd: "/tmp" }),
    ).toThrow(/http\.refusedAddresses/);
  });

  it("has expression budgets with defaults, overridable one by one", () => {
    const defaults = loadConfig({ env: {}, cwd: "/tmp" }).expressions;
    expect(defaults).toEqual({
      evaluationTimeoutMs: 100,
      jqTimeoutMs: 10_000,
      jqMemoryMb: 256,
      maxIterations: 100_000,
      maxOutputSize: 10_000_000,
      maxRangeSize: 100_000,
      maxCollectionSize: 1_000_000,
      maxDepth: 64,
      kvErrorOnMissing: true,
      httpTimeoutMs: 10_000,
      httpMaxResponseBytes: 10 * 1024 * 1024,
    });
    const config = loadConfig({
      env: { SAKER_EXPRESSIONS_JQ_TIMEOUT_MS: "2000" },
      overrides: { expressions: { evaluationTimeoutMs: 250 } },
      cwd: "/tmp",
    });
    expect(config.expressions).toMatchObject({ jqTimeoutMs: 2000, evaluationTimeoutMs: 250, maxRangeSize: 100_000 });
    expect(() => loadConfig({ env: {}, overrides: { expressions: { jqMemoryMb: 1 } }, cwd: "/tmp" })).toThrow(
      /expressions\.jqMemoryMb/,
    );
    expect(
      loadConfig({ env: { SAKER_EXPRESSIONS_KV_ERROR_ON_MISSING: "false" }, cwd: "/tmp" }).expressions.kvErrorOnMissing,
    ).toBe(false);
    expect(() => loadConfig({ env: { SAKER_EXPRESSIONS_KV_ERROR_ON_MISSING: "no" }, cwd: "/tmp" })).toThrow(
      /expressions\.kvErrorOnMissing/,
    );
  });
});
