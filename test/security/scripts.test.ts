/**
 * Script tasks cannot reach what belongs to the server: the worker's `SECRET_*` values and
 * `SAKER_*` configuration are not in a script's environment, secret values a script prints are
 * masked in logs, outputs and failure messages, links a script leaves are never uploaded, and
 * input file names cannot leave the working directory. Runs on a real engine instance.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestInstance } from "@saker/engine/testing";
import { flow, logLines, scriptsInstance, storedText, taskRun } from "../../plugins/scripts/test/support.ts";

const SECRET = "s3cr3t-token-value-7731";
const WORKER_SECRET = "worker-only-secret-0042";
const WORKER_SETTING = "worker-basic-auth-password-99";
let test: TestInstance;

beforeAll(async () => {
  // As the server's own environment would hold them.
  process.env.SECRET_WORKER_LEAK = Buffer.from(WORKER_SECRET).toString("base64");
  process.env.SAKER_SERVER_BASIC_AUTH_PASSWORD = WORKER_SETTING;
  test = await scriptsInstance({ env: { SECRET_API_TOKEN: Buffer.from(SECRET).toString("base64") } });
});
afterAll(async () => {
  delete process.env.SECRET_WORKER_LEAK;
  delete process.env.SAKER_SERVER_BASIC_AUTH_PASSWORD;
  await test?.close();
});

const everything = (id: string) => logLines(test, id, "TRACE").join("\n");

describe("script tasks and the server's secrets", () => {
  it("a script does not inherit SECRET_* or SAKER_* variables", async () => {
    const ex = await test.run(
      flow(
        "envdump",
        "io.kestra.plugin.scripts.python.Script",
        `script: |\n  import os\n  from kestra import Kestra\n  for k, v in sorted(os.environ.items()):\n      print(f"{k}={v}")\n  Kestra.outputs({"names": sorted(os.environ)})`,
      ),
    );
    expect(ex.state.current).toBe("SUCCESS");
    const names = (taskRun(ex, "t").outputs as { vars: { names: string[] } }).vars.names;
    expect(names).toContain("WORKING_DIR");
    expect(names.filter((n) => /^(SECRET_|SAKER_)/.test(n))).toEqual([]);
    const logs = everything(ex.id);
    expect(logs).not.toContain(Buffer.from(WORKER_SECRET).toString("base64"));
    expect(logs).not.toContain(WORKER_SETTING);
  });

  it("secret values a script prints are masked in its logs, its outputs and its failure message", async () => {
    const ex = await test.run(
      flow(
        "printsecret",
        "io.kestra.plugin.scripts.shell.Script",
        `env:\n  TOKEN: "{{ secret('API_TOKEN') }}"\nscript: |\n  echo "inline {{ secret('API_TOKEN') }}"\n  echo "from env $TOKEN"\n  echo "::{\\"outputs\\":{\\"token\\":\\"$TOKEN\\"}}::"\n  echo "stderr $TOKEN" >&2\n  exit 4`,
      ),
    );
    expect(ex.state.current).toBe("FAILED");
    const logs = everything(ex.id);
    expect(logs).not.toContain(SECRET);
    expect(logs).toContain("inline **masked*");
    expect(logs).toContain("from env **masked*");
    expect(logs).toMatch(/Command failed with exit code 4\. Last lines of stderr:\nstderr \*\*masked\*/);
    expect(JSON.stringify(taskRun(ex, "t").outputs)).not.toContain(SECRET);
  });

  it("a link a script leaves in its working directory is not uploaded as an output file", async () => {
    const ex = await test.run(
      flow(
        "links",
        "io.kestra.plugin.scripts.shell.Commands",
        `outputFiles: ["*.txt", "etc/**"]\ncommands:\n  - ln -s /etc/passwd passwd.txt\n  - ln -s /etc etc\n  - echo real > real.txt`,
      ),
    );
    expect(ex.state.current).toBe("SUCCESS");
    const files = (taskRun(ex, "t").outputs as { outputFiles: Record<string, string> }).outputFiles;
    expect(Object.keys(files)).toEqual(["real.txt"]);
    expect(await storedText(test, files["real.txt"]!)).toBe("real\n");
  });

  it("an input file name cannot leave the working directory", async () => {
    const ex = await test.run(
      flow(
        "escape",
        "io.kestra.plugin.scripts.shell.Commands",
        `inputFiles:\n  ../../escaped.txt: x\ncommands: [echo never]`,
      ),
    );
    expect(ex.state.current).toBe("FAILED");
    expect(logLines(test, ex.id, "ERROR").join("\n")).toContain(
      "File name '../../escaped.txt' leaves the working directory",
    );
    expect(logLines(test, ex.id)).not.toContain("INFO never");
  });
});
