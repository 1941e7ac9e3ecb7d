/**
 * Push (Kestra's deprecated mixed push) through a real git server on loopback: a new file
 * committed from a WorkingDirectory after a Clone, the `url` mode replacing the branch's files
 * with the namespace's flows and input files, and refused credentials.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestInstance } from "@saker/engine/testing";
import {
  TOKEN,
  USER,
  gitFlow,
  gitInstance,
  logFlow,
  logsOf,
  startGitServer,
  taskRun,
  type TestGitServer,
} from "../test/support.ts";

let test: TestInstance;
let server: TestGitServer;

beforeAll(async () => {
  test = await gitInstance();
  server = await startGitServer();
  server.createRepo("app", { "README.md": "hello\n", "src/main.sh": "echo main\n" });
});
afterAll(async () => {
  await test?.close();
  await server?.close();
});

const auth = `username: ${USER}\npassword: ${TOKEN}`;

describe("Push", () => {
  it("commits a new file of the working directory after a Clone, on a new branch", async () => {
    const ex = await test.run(`id: clone-push
namespace: company.push
inputs:
  - id: message
    type: STRING
    defaults: add a report
tasks:
  - id: wdir
    type: io.kestra.plugin.core.flow.WorkingDirectory
    tasks:
      - id: clone
        type: io.kestra.plugin.git.Clone
        url: ${server.url("app")}
        branch: main
        username: ${USER}
        password: ${TOKEN}
      - id: push
        type: io.kestra.plugin.git.Push
        username: ${USER}
        password: ${TOKEN}
        branch: feature
        flows:
          enabled: false
        inputFiles:
          to_commit/report.txt: "report of {{ flow.id }}"
        addFilesPattern:
          - to_commit
        commitMessage: "{{ inputs.message }}"
        author:
          name: Reporter
          email: reporter@example.com
`);
    expect(ex.state.current, logsOf(test, ex.id)).toBe("SUCCESS");
    expect(server.show("app", "to_commit/report.txt", "feature")).toBe("report of clone-push");
    expect(server.show("app", "README.md", "feature")).toBe("hello\n");
    expect(server.log("app", "feature")[0]).toBe("Reporter <reporter@example.com>|add a report");
    expect(server.show("app", "to_commit/report.txt")).toBeUndefined(); // main untouched
    const commitId = (taskRun(ex, "push").outputs as { commitId: string }).commitId;
    expect(commitId).toMatch(/^[0-9a-f]{40}$/);
    expect(JSON.stringify(ex) + logsOf(test, ex.id)).not.toContain(TOKEN);
  });

  it("with url, replaces the branch's files with the namespace's flows and the input files", async () => {
    await test.instance.deploy(logFlow("company.push", "one"));
    await test.instance.deploy(logFlow("company.push.child", "two"));
    const ex = await test.run(
      gitFlow(
        "url-push",
        "company.push",
        "Push",
        `url: ${server.url("app")}\n${auth}\nbranch: main\ncommitMessage: replace\ninputFiles:\n  notes.txt: "some notes"`,
      ),
    );
    expect(ex.state.current, logsOf(test, ex.id)).toBe("SUCCESS");
    expect(server.show("app", "_flows/company.push.one.yml")).toBe(logFlow("company.push", "one"));
    expect(server.show("app", "_flows/company.push.child.two.yml")).toBe(logFlow("company.push.child", "two"));
    expect(server.show("app", "_flows/company.push.url-push.yml")).toContain("id: url-push");
    expect(server.show("app", "notes.txt")).toBe("some notes");
    expect(server.show("app", "README.md")).toBeUndefined();
    expect(server.log("app")[0]).toBe(`${USER} <saker@localhost>|replace`);

    const again = await test.run(
      gitFlow(
        "url-push",
        "company.push",
        "Push",
        `url: ${server.url("app")}\n${auth}\nbranch: main\ncommitMessage: replace\ninputFiles:\n  notes.txt: "some notes"`,
      ),
    );
    expect(again.state.current, logsOf(test, again.id)).toBe("SUCCESS");
    expect(logsOf(test, again.id)).toContain("No changes to commit");
    expect(taskRun(again, "git").outputs).toEqual({});
  });

  it("follows the redirects of a moved repository, for reads and pushes", async () => {
    const moved = `${server.base}/moved/app.git`;
    const ex = await test.run(
      gitFlow(
        "moved",
        "company.push",
        "Push",
        `url: ${moved}\n${auth}\nbranch: moved\ncommitMessage: moved\nflows:\n  enabled: false\ninputFiles:\n  m.txt: moved`,
      ),
    );
    expect(ex.state.current, logsOf(test, ex.id)).toBe("SUCCESS");
    expect(server.show("app", "m.txt", "moved")).toBe("moved");
  });

  it("fails clearly with wrong credentials or without a repository, never showing the token", async () => {
    const url = server.url("app").replace("http://", `http://${USER}:${TOKEN}-wrong@`);
    const ex = await test.run(gitFlow("wrong", "company.push", "Push", `url: ${url}\nbranch: main\ncommitMessage: x`));
    expect(ex.state.current).toBe("FAILED");
    expect(logsOf(test, ex.id)).toContain("the server refused the credentials (HTTP 401)");
    expect(JSON.stringify(ex) + logsOf(test, ex.id)).not.toContain(TOKEN);

    const none = await test.run(gitFlow("none", "company.push", "Push", `${auth}\nbranch: main\ncommitMessage: x`));
    expect(none.state.current).toBe("FAILED");
    expect(logsOf(test, none.id)).toContain("no git repository with an origin");
  });
});
