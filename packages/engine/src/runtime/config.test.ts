import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.ts";

describe("loadConfig", () => {
  it("reads SAKER_* variables into nested keys and resolves folders under the home", () => {
    const config = loadConfig({ env: { SAKER_HOME: "/data/saker", SAKER_WORKER_CONCURRENCY: "3", SAKER_PLUGINS_DEFAULTVERSION: "OLDEST" }, cwd: "/tmp" });
    expect(config.home).toBe("/data/saker");
    expect(config.worker.concurrency).toBe(3);
    expect(config.plugins.defaultVersion).toBe("OLDEST");
    expect(config.databaseFile).toBe("/data/saker/saker.db");
    expect(config.storagePath).toBe("/data/saker/storage");
  });

  it("names the bad key", () => {
    expect(() => loadConfig({ env: {}, overrides: { worker: { concurrency: 0 } }, cwd: "/tmp" })).toThrow(/worker\.concurrency/);
    expect(() => loadConfig({ env: {}, overrides: { unknownKey: 1 }, cwd: "/tmp" })).toThrow(/Invalid configuration/);
  });
});
