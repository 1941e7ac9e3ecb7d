import { describe, expect, it } from "vitest";
import { loadConfig } from "../../runtime/config.ts";

const load = (database: Record<string, unknown>, env: Record<string, string> = {}) =>
  loadConfig({ env, overrides: { home: "/tmp/saker-config-test", database }, cwd: "/tmp" });

describe("database configuration", () => {
  it("is SQLite by default and PostgreSQL when asked, from YAML or the environment", () => {
    expect(load({}).database.type).toBe("sqlite");
    const config = load({ type: "postgres", url: "postgres://u:p@db:5432/saker", schema: "saker" });
    expect(config.database).toMatchObject({ type: "postgres", url: "postgres://u:p@db:5432/saker", schema: "saker" });
    const fromEnv = loadConfig({
      env: { SAKER_DATABASE_TYPE: "postgres", SAKER_DATABASE_URL: "postgresql://db/saker" },
      overrides: { home: "/tmp/saker-config-test" },
      cwd: "/tmp",
    });
    expect(fromEnv.database).toMatchObject({ type: "postgres", url: "postgresql://db/saker" });
  });

  it("names the YAML path of a bad type, a missing or bad URL, a bad schema, never the URL's password", () => {
    expect(() => load({ type: "mysql" })).toThrow(/database\.type: must be 'sqlite' or 'postgres'/);
    expect(() => load({ type: "postgres" })).toThrow(/database\.url: is required with type 'postgres'/);
    const bad = (() => {
      try {
        load({ type: "postgres", url: "mysql://u:hunter2@db/x" });
      } catch (error) {
        return error as Error & { code?: string };
      }
      return undefined;
    })();
    expect(bad?.code).toBe("CONFIG_INVALID");
    expect(bad?.message).toMatch(/database\.url: must be a postgres:\/\/ or postgresql:\/\/ URL/);
    expect(bad?.message).not.toContain("hunter2");
    expect(() => load({ type: "postgres", url: "postgres://db/x", schema: "a;b" })).toThrow(
      /database\.schema: must be a plain SQL identifier/,
    );
  });
});
