/**
 * Clone against a real git server on loopback (git http-backend): branches, depth, tags, files
 * seen by the next task of a WorkingDirectory, and what happens with a wrong server, wrong
 * credentials, credentials in the URL, a missing branch or a directory leaving the working dir.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Execution, TestInstance } from "@saker/engine/testing";
import {
  TOKEN,
  USER,
  gitFlow,
  gitInstance,
  startGitServer,
  startSilentServer,
  storedText,
  taskRun,
  type TestGitServer,
} from "../test/support.ts";

let test: TestInstance;
let server: TestGitServer;

beforeAll(async () => {
  test = await gitInstance();
  server = await startGitServer();
  server.createRepo("app", { "README.md": "hello\n", "src/main.sh": "echo main\n" });
  server.commit("app", { "src/main.sh": "echo main v2\n" }, "main", "second");
  server.commit("app", { "feature.txt": "feature\n" }, "feature", "feature work");
});
afterAll(async () => {
  await test?.close();
  await server?.close();
});

const logsOf = (executionId: string) =>
  test.instance.logs
    .find({ executionId })
    .map((e) => e.message)
    .join("\n");

const auth = `username: ${USER}\npassword: ${TOKEN}`;

/** A WorkingDirectory: Clone with `props`, then LocalFiles storing the files matching `globs`. */
const cloneFlow = (id: string, props: string, globs: string[] = ["**"]) => `id: ${id}
namespace: company.git
tasks:
  - id: wdir
    type: io.kestra.plugin.core.flow.WorkingDirectory
    tasks:
      - id: clone
        type: io.kestra.plugin.git.Clone
${props
  .trim()
  .split("\n")
  .map((l) => `        ${l}`)
  .join("\n")}
      - id: read
        type: io.kestra.plugin.core.storage.LocalFiles
        outputs: ${JSON.stringify(globs)}
`;

/** The files LocalFiles stored: path → content. */
async function filesOf(ex: Execution): Promise<Record<string, string>> {
  const uris = (taskRun(ex, "read").outputs as { uris: Record<string, string> }).uris;
  const files: Record<string, string> = {};
  for (const [path, uri] of Object.entries(uris)) files[path] = await storedText(test, uri);
  return files;
}

describe("Clone", () => {
  it("clones the default branch into the working directory, for the next tasks", async () => {
    const ex = await test.run(cloneFlow("default", `url: ${server.url("app")}\n${auth}`, ["src/*", "*.md", "*.txt"]));
    expect(ex.state.current, logsOf(ex.id)).toBe("SUCCESS");
    expect(await filesOf(ex)).toEqual({ "README.md": "hello\n", "src/main.sh": "echo main v2\n" });
  });

  it("checks out a branch into a folder, shallow by default and deeper with depth", async () => {
    const ex = await test.run(
      cloneFlow(
        "branch",
        `url: ${server.url("app")}\n${auth}\nbranch: feature\ncloneAllBranches: false\ndirectory: repo`,
        ["repo/*.txt", "repo/.git/shallow"],
      ),
    );
    expect(ex.state.current, logsOf(ex.id)).toBe("SUCCESS");
    const files = await filesOf(ex);
    expect(files["repo/feature.txt"]).toBe("feature\n");
    expect(files["repo/.git/shallow"]?.trim().split("\n")).toHaveLength(1);
    expect(taskRun(ex, "clone").outputs).toEqual({ directory: expect.stringMatching(/\/repo$/) });

    const deep = await test.run(
      cloneFlow("deep", `url: ${server.url("app")}\n${auth}\ndepth: 5`, [".git/shallow", "*.md"]),
    );
    expect(deep.state.current, logsOf(deep.id)).toBe("SUCCESS");
    expect(Object.keys(await filesOf(deep))).toEqual(["README.md"]); // the whole history: not shallow
  });

  it("clones into a working directory that already holds files", async () => {
    const flow = cloneFlow("nonempty", `url: ${server.url("app")}\n${auth}`, ["*.txt", "*.md"]).replace(
      "    type: io.kestra.plugin.core.flow.WorkingDirectory\n",
      "    type: io.kestra.plugin.core.flow.WorkingDirectory\n    inputFiles:\n      local.txt: mine\n",
    );
    const ex = await test.run(flow);
    expect(ex.state.current, logsOf(ex.id)).toBe("SUCCESS");
    expect(await filesOf(ex)).toEqual({ "README.md": "hello\n", "local.txt": "mine" });
  });

  it("checks out a tag or a commit", async () => {
    server.createRepo("tagged", { "v.txt": "one\n" });
    const sha = server.git("tagged", "rev-parse", "main").trim();
    server.git("tagged", "tag", "v1", "main");
    server.commit("tagged", { "v.txt": "two\n" });
    expect(server.log("tagged")).toHaveLength(2);

    const tag = await test.run(cloneFlow("tag", `url: ${server.url("tagged")}\n${auth}\ntag: v1`, ["v.txt"]));
    expect(tag.state.current, logsOf(tag.id)).toBe("SUCCESS");
    expect(await filesOf(tag)).toEqual({ "v.txt": "one\n" });
    const commit = await test.run(
      cloneFlow("commit", `url: ${server.url("tagged")}\n${auth}\ncommit: "${sha.slice(0, 10)}"`, ["v.txt"]),
    );
    expect(commit.state.current, logsOf(commit.id)).toBe("SUCCESS");
    expect(await filesOf(commit)).toEqual({ "v.txt": "one\n" });
  });

  it("uses credentials written in the URL, and never shows them", async () => {
    const url = server.url("app").replace("http://", `http://${USER}:${TOKEN}@`);
    const ex = await test.run(cloneFlow("inurl", `url: ${url}`, ["*.md"]));
    expect(ex.state.current, logsOf(ex.id)).toBe("SUCCESS");
    expect(await filesOf(ex)).toEqual({ "README.md": "hello\n" });
    expect(JSON.stringify(ex)).not.toContain(TOKEN);
    expect(logsOf(ex.id)).not.toContain(TOKEN);
    expect(logsOf(ex.id)).toContain(server.url("app"));

    const wrong = `http://${USER}:${TOKEN}x@${server.base.replace("http://", "")}/app.git`;
    const failed = await test.run(gitFlow("inurl-wrong", "company.git", "Clone", `url: ${wrong}`));
    expect(failed.state.current).toBe("FAILED");
    expect(logsOf(failed.id)).toMatch(/refused the credentials \(HTTP 401\)/);
    expect(JSON.stringify(failed) + logsOf(failed.id)).not.toContain(TOKEN);
  });

  it("fails clearly with wrong credentials, a missing repository or branch", async () => {
    const wrong = await test.run(
      gitFlow("wrong", "company.git", "Clone", `url: ${server.url("app")}\nusername: ${USER}\npassword: nope`),
    );
    expect(wrong.state.current).toBe("FAILED");
    expect(logsOf(wrong.id)).toContain(`${server.url("app")}: the server refused the credentials (HTTP 401)`);
    expect(logsOf(wrong.id)).not.toContain("nope");

    const missing = await test.run(
      gitFlow("missing", "company.git", "Clone", `url: ${server.url("nothing")}\n${auth}`),
    );
    expect(missing.state.current).toBe("FAILED");
    expect(logsOf(missing.id)).toMatch(/nothing\.git: repository not found|nothing\.git/);

    const branch = await test.run(
      gitFlow("nobranch", "company.git", "Clone", `url: ${server.url("app")}\n${auth}\nbranch: nope`),
    );
    expect(branch.state.current).toBe("FAILED");
    expect(logsOf(branch.id)).toContain("branch 'nope' does not exist");
    expect(logsOf(branch.id)).toContain("branches: feature, main");
  });

  it("does not send the credentials along a redirect to another server", async () => {
    const seen: Array<string | undefined> = [];
    const relay = createServer((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(301, { Location: `${server.base}${req.url ?? "/"}` }).end();
    });
    await new Promise<void>((resolve) => relay.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(relay.address() as AddressInfo).port}/app.git`;
      const ex = await test.run(gitFlow("relay", "company.git", "Clone", `url: ${url}\n${auth}`));
      expect(ex.state.current).toBe("FAILED");
      expect(seen[0]).toMatch(/^Basic /); // sent to the server named in the flow
      expect(logsOf(ex.id)).toContain("the server refused the credentials (HTTP 401)"); // not to the other one
    } finally {
      relay.closeAllConnections();
      await new Promise<void>((resolve) => relay.close(() => resolve()));
    }
  });

  it("fails within the task's timeout when the server is down or silent", async () => {
    const down = await test.run(gitFlow("down", "company.git", "Clone", `url: http://127.0.0.1:1/x.git\n${auth}`));
    expect(down.state.current).toBe("FAILED");
    expect(logsOf(down.id)).toContain("the server cannot be reached (ECONNREFUSED)");

    const silent = await startSilentServer();
    try {
      const timeout = await test.run(
        gitFlow("silent", "company.git", "Clone", `url: ${silent.url}\n${auth}\nreadTimeout: 500`),
      );
      expect(timeout.state.current).toBe("FAILED");
      expect(logsOf(timeout.id)).toContain("no answer from the server within 500 ms");
      const killed = await test.run(
        gitFlow("silent-timeout", "company.git", "Clone", `url: ${silent.url}\n${auth}`).replace(
          "    type: io.kestra.plugin.git.Clone",
          "    type: io.kestra.plugin.git.Clone\n    timeout: PT1S",
        ),
      );
      expect(killed.state.current).toBe("FAILED");
      expect(logsOf(killed.id)).toMatch(/Timeout after/i);
    } finally {
      await silent.close();
    }
  });

  it("refuses a directory outside the working directory", async () => {
    for (const directory of ["../out", "/tmp/out", "a/../../out", ".git/hooks"]) {
      const ex = await test.run(
        gitFlow("escape", "company.git", "Clone", `url: ${server.url("app")}\n${auth}\ndirectory: "${directory}"`),
      );
      expect(ex.state.current).toBe("FAILED");
      expect(logsOf(ex.id)).toMatch(/must be a relative path|leaves its folder|\.git folder/);
    }
  });

  it("refuses submodules and an SSH key with an HTTP URL, with a clear error", async () => {
    const submodules = await test.run(
      gitFlow("submodules", "company.git", "Clone", `url: ${server.url("app")}\n${auth}\ncloneSubmodules: true`),
    );
    expect(submodules.state.current).toBe("FAILED");
    expect(logsOf(submodules.id)).toContain("cloneSubmodules: submodules are not supported in Saker");

    const key = await test.run(
      gitFlow("httpkey", "company.git", "Clone", `url: ${server.url("app")}\nprivateKey: "---"`),
    );
    expect(key.state.current).toBe("FAILED");
    expect(logsOf(key.id)).toContain("privateKey: privateKey is for SSH URLs");
  });
});
