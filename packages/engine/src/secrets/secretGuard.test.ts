import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Execution } from "../model/execution.ts";
import type { Flow } from "../model/flow.ts";
import { Encryption } from "./encryption.ts";
import { SecretMasker } from "./masker.ts";
import { isSealed } from "./sealer.ts";
import { EnvSecretBackend, FileSecretBackend, SecretStore } from "./secrets.ts";
import { SecretGuard } from "./secretGuard.ts";

const b64 = (s: string) => Buffer.from(s).toString("base64");
const encryption = new Encryption(Buffer.alloc(32, 3));

describe("SecretGuard", () => {
  it("masks every secret of the instance, read or not, and follows changes of the secrets file", () => {
    const file = join(mkdtempSync(join(tmpdir(), "saker-guard-")), "secrets.yml");
    writeFileSync(file, "FROM_FILE: first-file-value\n");
    const guard = new SecretGuard(
      new SecretStore([new EnvSecretBackend({ SECRET_ENV_ONE: b64("env-secret-one") }), new FileSecretBackend(file)]),
      encryption,
    );
    expect(guard.masker().mask("env-secret-one first-file-value")).not.toMatch(/env-secret-one|first-file-value/);
    writeFileSync(file, "FROM_FILE: second-value-longer\n");
    expect(guard.masker().mask("second-value-longer")).toMatch(/^\*\*masked\*+$/);
    // a caller's additions stay its own
    guard.masker().add("only-for-one-job");
    expect(guard.masker().mask("only-for-one-job")).toBe("only-for-one-job");
  });

  it("the copies of the instance's masker share one compiled pattern until one of them adds a value", () => {
    const guard = new SecretGuard(
      new SecretStore([new EnvSecretBackend({ SECRET_ONE: b64("shared-secret-value") })]),
      encryption,
    );
    const pattern = (m: SecretMasker) => (m as unknown as { pattern: RegExp | undefined }).pattern;
    const a = guard.masker();
    const b = guard.masker();
    expect(pattern(a)).toBeDefined();
    expect(pattern(a)).toBe(pattern(b));
    expect(guard.display({ message: "shared-secret-value" }).message).toMatch(/^\*\*masked\*+$/);
    b.add("added-by-one-caller");
    expect(b.mask("added-by-one-caller")).toMatch(/^\*\*masked\*+$/);
    expect(pattern(guard.masker())).toBe(pattern(a));
    expect(guard.display({ message: "added-by-one-caller" }).message).toBe("added-by-one-caller");
  });

  it("the execution's masker knows its SECRET inputs and the values sealed in it", () => {
    const guard = new SecretGuard(new SecretStore([]), encryption);
    const jobMasker = new SecretMasker();
    jobMasker.add("decrypted-by-a-task");
    const sealed = guard.seal({ value: "decrypted-by-a-task" }, jobMasker);
    expect(isSealed(sealed.value)).toBe(true);
    const flow = { id: "f", namespace: "n", tasks: [], inputs: [{ id: "token", type: "SECRET" }] } as unknown as Flow;
    const execution = {
      inputs: { token: encryption.encrypt("secret-input-value") },
      taskRunList: [{ outputs: sealed }],
      labels: [],
    } as unknown as Execution;
    const masker = guard.executionMasker(flow, execution);
    expect(masker.mask("secret-input-value decrypted-by-a-task")).not.toMatch(/secret-input-value|decrypted-by-a-task/);
    const flowOutputs = guard.seal({ out: "got decrypted-by-a-task" }, masker);
    expect(isSealed(flowOutputs.out)).toBe(true);
    expect(guard.reveal(flowOutputs)).toEqual({ out: "got decrypted-by-a-task" });
  });

  it("shows ids as they are and masks the data fields", () => {
    const guard = new SecretGuard(new SecretStore([new EnvSecretBackend({ SECRET_PG: b64("postgres") })]), encryption);
    const shown = guard.display({
      id: "x",
      flowId: "postgres_query",
      labels: [{ key: "db", value: "postgres" }],
      taskRunList: [
        {
          taskId: "postgres",
          outputs: { uri: "kestra:///n/postgres_query/executions/x/tasks/t/y/postgres.ion", text: "user postgres" },
        },
      ],
    });
    expect(shown.flowId).toBe("postgres_query");
    expect(shown.taskRunList[0]!.taskId).toBe("postgres");
    expect(shown.labels[0]!.value).toBe("********");
    expect(shown.taskRunList[0]!.outputs).toEqual({
      uri: "kestra:///n/postgres_query/executions/x/tasks/t/y/********.ion",
      text: "user ********",
    });
  });
});
