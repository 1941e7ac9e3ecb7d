import { delimiter } from "node:path";
import { describe, expect, it } from "vitest";
import { inheritedEnv, scriptEnv } from "./env.ts";

describe("script environment", () => {
  it("leaves out the server's secrets, configuration and npm session", () => {
    const env = inheritedEnv({
      PATH: "/bin",
      SECRET_DB: "eA==",
      SAKER_SERVER_BASIC_AUTH_PASSWORD: "p",
      npm_config__authToken: "t",
      NODE_OPTIONS: "--x",
      HOME: "/h",
    });
    expect(env).toEqual({ PATH: "/bin", HOME: "/h" });
  });

  it("refuses a task variable that collides with one the task sets, except search paths", () => {
    expect(() => scriptEnv({ WORKING_DIR: "/x" }, { WORKING_DIR: "/wd" }, {})).toThrow(
      "env.WORKING_DIR: collides with the variable the task sets itself (WORKING_DIR=/wd); use another name",
    );
    expect(
      scriptEnv({ PYTHONPATH: "/mine" }, { PYTHONPATH: "/helpers" }, { PYTHONPATH: "/worker" }).taskEnv.PYTHONPATH,
    ).toBe(`/helpers${delimiter}/mine`);
    expect(scriptEnv({}, { PYTHONPATH: "/helpers" }, { PYTHONPATH: "/worker" }).env.PYTHONPATH).toBe(
      `/helpers${delimiter}/worker`,
    );
    expect(() => scriptEnv({ "A=B": "x" }, {}, {})).toThrow("env: 'A=B' is not a valid environment variable name");
  });

  it("writes non-string values as JSON and lets the task override the worker's variables", () => {
    const { env, taskEnv } = scriptEnv(
      { N: 3, O: { a: 1 }, HOME: "/task" },
      { WORKING_DIR: "/wd" },
      { HOME: "/h", PATH: "/bin" },
    );
    expect(taskEnv).toEqual({ WORKING_DIR: "/wd", N: "3", O: '{"a":1}', HOME: "/task" });
    expect(env).toEqual({ PATH: "/bin", WORKING_DIR: "/wd", N: "3", O: '{"a":1}', HOME: "/task" });
  });
});
