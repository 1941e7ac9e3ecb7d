/**
 * A secret (and a SECRET input) used in logs, outputs, an error message and a stored file never
 * appears in clear: not in the CLI's output, not in the SQLite file (WAL included), not in the
 * storage folder, not in the logs.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { listFiles } from "@saker/engine/testing";
import { executionOf, runCli } from "./cli.ts";

const PASSWORD = "pl41ntext-Passw0rd-never-stored";
const TOKEN = "t0ken-from-a-SECRET-input";
const dir = mkdtempSync(join(tmpdir(), "saker-secrets-"));
const home = join(dir, "home");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FLOW = `id: secrets
namespace: company.team
inputs:
  - id: token
    type: SECRET
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "password {{ secret('DB_PASSWORD') }}, token {{ inputs.token }}"
  - id: ret
    type: io.kestra.plugin.core.debug.Return
    format: "{{ secret('DB_PASSWORD') }}/{{ inputs.token }}"
  - id: values
    type: io.kestra.plugin.core.output.OutputValues
    values:
      nested:
        password: "{{ secret('DB_PASSWORD') }}"
  - id: fail
    type: io.kestra.plugin.core.execution.Fail
    errorMessage: "could not log in with {{ secret('DB_PASSWORD') }}"
errors:
  - id: after-error
    type: io.kestra.plugin.core.log.Log
    level: ERROR
    message: "{{ errorLogs() | json }}"
`;

describe("secrets never leak", () => {
  it("are masked everywhere a run writes or prints", async () => {
    const file = join(dir, "secrets.yaml");
    writeFileSync(file, FLOW);
    const result = await runCli(["flow", "run", file, "--json", "--input", `token=${TOKEN}`], {
      home,
      env: { SECRET_DB_PASSWORD: Buffer.from(PASSWORD).toString("base64") },
    });
    const execution = executionOf(result);
    expect(execution.state.current).toBe("FAILED");
    const ret = execution.taskRunList.find((t: { taskId: string }) => t.taskId === "ret");
    expect(ret.outputs.value).toMatch(/^\*\*masked\*+\/\*\*masked\*+$/);
    expect(result.stdout).not.toContain(PASSWORD);
    expect(result.stderr).not.toContain(PASSWORD);
    expect(result.stdout + result.stderr).not.toContain(TOKEN);
    expect(result.stderr).toMatch(/password \*\*masked\*+, token \*\*masked\*+/);
    expect(result.stderr).toMatch(/could not log in with \*\*masked\*+ \(at tasks\[3\] of .*secrets\.yaml\)/);

    const files = (await listFiles(home)).map((path) => join(home, path));
    expect(files.some((f) => f.endsWith(".db") || f.endsWith(".sqlite"))).toBe(true);
    for (const path of files) {
      const content = readFileSync(path);
      expect(content.includes(PASSWORD), `${path} holds the password`).toBe(false);
      expect(content.includes(TOKEN), `${path} holds the SECRET input`).toBe(false);
      expect(content.includes(Buffer.from(PASSWORD).toString("base64")), `${path} holds the encoded password`).toBe(
        false,
      );
    }
  });

  it("a missing secret fails the task with Kestra's message", async () => {
    const file = join(dir, "missing.yaml");
    writeFileSync(
      file,
      "id: missing\nnamespace: company.team\ntasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: \"{{ secret('NOPE') }}\"\n",
    );
    const result = await runCli(["flow", "run", file, "--json"], { home: join(dir, "home2") });
    expect(executionOf(result).state.current).toBe("FAILED");
    expect(result.stderr).toContain("Cannot find secret for key 'NOPE'");
  });
});
