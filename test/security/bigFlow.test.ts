/**
 * Storing a big flow never blocks everyone: a 5.6 MB flow of 30,000 tasks is created, updated,
 * validated, imported in bulk, disabled and enabled, and parsed again by the scheduler after a
 * restart, while a real `server local` child process keeps answering `/health` and no turn of its
 * event loop holds the CPU for long (parsing and validating such a flow on the event loop held it
 * for seconds; see serverProcess.ts, whileProbing). Problems in
 * a big flow still name the YAML path and line of the bad task; a flow over `limits.maxFlowBytes`
 * is refused with 413 naming the limit.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { expectNoLongStall, startServerProcess, whileProbing, type ServerProcess } from "./serverProcess.ts";
const TASKS = 30_000;
/**
 * Only against a hang: each test sends several 5.6 MB flows, which take the server (and the
 * test's fetch) minutes of wall time when the machine is loaded by other test files.
 */
const TEST_TIMEOUT_MS = 600_000;

/** The flow of the issue: 30,000 Return tasks, 5.6 MB. */
function manyTasks(id: string, count: number, extra = (_i: number) => ""): string {
  let yaml = `id: ${id}\nnamespace: big.flows\ntasks:\n`;
  for (let i = 0; i < count; i++) {
    yaml += `  - id: t${i}\n    type: io.kestra.plugin.core.debug.Return\n    description: "${"d".repeat(80)}"\n    format: "{{ task.id }}"\n${extra(i)}`;
  }
  return yaml;
}

const work = mkdtempSync(join(tmpdir(), "saker-bigflow-"));
const home = join(work, "home");
let server: ServerProcess;

beforeAll(async () => {
  server = await startServerProcess(home);
}, 60_000);

afterAll(async () => {
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Asks `/health` of a server that is starting: a refused connection (not listening yet) is tried
 * again; once it listens, every request is answered (503 while the instance opens, then 200).
 * `listeningSince` is when the first answer came.
 */
function probeStartingServer(url: string): { answered: number; listeningSince: number; stop(): Promise<void> } {
  let stopped = false;
  let failure: Error | undefined;
  const state = { answered: 0, listeningSince: Infinity, stop: async () => undefined as void };
  const loop = (async () => {
    while (!stopped) {
      const sent = Date.now();
      try {
        // Not a speed bound (the event loop's stalls are checked): a hung server fails the test.
        const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(60_000) });
        await response.text();
        state.listeningSince = Math.min(state.listeningSince, sent);
        state.answered++;
      } catch (error) {
        const refused = (error as { cause?: { code?: string } }).cause?.code === "ECONNREFUSED";
        if (!refused) {
          failure = new Error(`/health was not answered: ${String(error)}`);
          return;
        }
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  state.stop = async () => {
    stopped = true;
    await loop;
    if (failure) throw failure;
  };
  return state;
}

const send = (method: string, path: string, yaml: string) =>
  fetch(`${server.api}${path}`, { method, headers: { "Content-Type": "application/x-yaml" }, body: yaml });

describe("a flow of 30,000 tasks", () => {
  const yaml = manyTasks("huge", TASKS);

  it(
    "is created, read back unchanged and updated while /health keeps answering",
    async () => {
      expect(yaml.length).toBeGreaterThan(5_500_000);
      const { result: created } = await whileProbing(server, async () => {
        const response = await send("POST", "/flows", yaml);
        return { status: response.status, body: (await response.json()) as Record<string, any> };
      });
      expect(created.status).toBe(200);
      expect(created.body).toMatchObject({ id: "huge", namespace: "big.flows", revision: 1 });
      expect(created.body.tasks).toHaveLength(TASKS);

      const source = await (
        await fetch(`${server.api}/flows/big.flows/huge`, { headers: { Accept: "application/x-yaml" } })
      ).text();
      expect(source).toBe(yaml);
      const flow = (await (await fetch(`${server.api}/flows/big.flows/huge`)).json()) as Record<string, any>;
      expect(flow.tasks).toHaveLength(TASKS);
      expect(flow.tasks[TASKS - 1]).toEqual(
        expect.objectContaining({
          id: `t${TASKS - 1}`,
          type: "io.kestra.plugin.core.debug.Return",
          format: "{{ task.id }}",
        }),
      );

      const changed = yaml.replace(`  - id: t${TASKS - 1}\n`, `  - id: last\n`);
      const { result: updated } = await whileProbing(server, async () => {
        const response = await send("PUT", "/flows/big.flows/huge", changed);
        return { status: response.status, body: (await response.json()) as Record<string, any> };
      });
      expect(updated.status).toBe(200);
      expect(updated.body.revision).toBe(2);
      expect(updated.body.tasks[TASKS - 1].id).toBe("last");
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "is validated and imported in bulk while /health keeps answering",
    async () => {
      const { result: checks } = await whileProbing(
        server,
        async () => (await send("POST", "/flows/validate", yaml)).json() as Promise<Record<string, any>[]>,
      );
      expect(checks).toHaveLength(1);
      expect(checks[0]).toMatchObject({ flow: "huge", namespace: "big.flows" });
      expect(checks[0]!.constraints).toBeUndefined();

      const small =
        "id: small\nnamespace: big.flows\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.debug.Return\n    format: hi\n";
      const bulkYaml = `${manyTasks("imported", TASKS)}---\n${small}`;
      const { result: imported } = await whileProbing(server, async () => {
        const response = await send("POST", "/flows/bulk", bulkYaml);
        return { status: response.status, body: (await response.json()) as Record<string, any>[] };
      });
      expect(imported.status).toBe(200);
      expect(imported.body.map((f) => f.id)).toEqual(["imported", "small"]);
      expect(imported.body[0]!.tasks).toHaveLength(TASKS);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "is disabled and enabled again (a new revision each) while /health keeps answering",
    async () => {
      expect((await send("POST", "/flows", manyTasks("toggled", TASKS))).status).toBe(200);
      const toggle = (action: string) =>
        whileProbing(server, async () => {
          const response = await fetch(`${server.api}/flows/${action}/by-ids`, {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify([{ namespace: "big.flows", id: "toggled" }]),
          });
          return { status: response.status, body: (await response.json()) as Record<string, any> };
        });
      const { result: disabled } = await toggle("disable");
      expect(disabled).toEqual({ status: 200, body: { count: 1 } });
      const source = await (
        await fetch(`${server.api}/flows/big.flows/toggled`, { headers: { Accept: "application/x-yaml" } })
      ).text();
      expect(source).toMatch(/\ndisabled: true\n$/);
      const { result: enabled } = await toggle("enable");
      expect(enabled).toEqual({ status: 200, body: { count: 1 } });
      const flow = (await (await fetch(`${server.api}/flows/big.flows/toggled`)).json()) as Record<string, any>;
      expect(flow).toMatchObject({ revision: 3, disabled: false });
      expect(flow.tasks).toHaveLength(TASKS);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "names the YAML path and line of a bad task, on create and on validate",
    async () => {
      const bad = 29_000;
      const invalid = manyTasks("invalid", TASKS, (i) => (i === bad ? "    bogus: 1\n" : ""));
      const line = invalid.split("\n").indexOf("    bogus: 1") + 1;

      const { result: created } = await whileProbing(server, async () => {
        const response = await send("POST", "/flows", invalid);
        return { status: response.status, body: (await response.json()) as Record<string, any> };
      });
      expect(created.status).toBe(422);
      expect(created.body.code).toBe("FLOW_INVALID");
      expect(created.body.message).toContain(`tasks[${bad}].bogus: unknown property 'bogus' (line ${line})`);
      expect(created.body.details.issues).toEqual([expect.objectContaining({ path: `tasks[${bad}].bogus`, line })]);

      const { result: checks } = await whileProbing(
        server,
        async () => (await send("POST", "/flows/validate", invalid)).json() as Promise<Record<string, any>[]>,
      );
      expect(checks[0]).toMatchObject({ flow: "invalid", namespace: "big.flows" });
      expect(checks[0]!.constraints).toBe(`tasks[${bad}].bogus: unknown property 'bogus' (line ${line})`);
      expect((await fetch(`${server.api}/flows/big.flows/invalid`)).status).toBe(404);
    },
    TEST_TIMEOUT_MS,
  );

  it("is refused with 413 naming limits.maxFlowBytes when over it", async () => {
    const over = manyTasks("over", 48_000);
    expect(over.length).toBeGreaterThan(8 * 1024 * 1024);
    const response = await send("POST", "/flows", over);
    expect(response.status).toBe(413);
    const body = (await response.json()) as Record<string, any>;
    expect(body.code).toBe("FLOW_TOO_LARGE");
    expect(body.message).toContain(`limit maxFlowBytes = ${8 * 1024 * 1024}`);
    expect((await fetch(`${server.api}/flows/big.flows/over`)).status).toBe(404);
  }, 60_000);

  it(
    "is parsed again after a restart (the scheduler's pass over every flow) while /health keeps answering",
    async () => {
      expect((await send("POST", "/flows", manyTasks("restarted", TASKS))).status).toBe(200);
      await server.stop();
      // The scheduler parses every stored flow as the instance opens, while the API already
      // listens (answering 503, then 200): probed from the moment the port accepts connections.
      const port = await freePort();
      const probe = probeStartingServer(`http://127.0.0.1:${port}`);
      try {
        server = await startServerProcess(home, {}, TEST_TIMEOUT_MS, port);
        const flow = (await (await fetch(`${server.api}/flows/big.flows/restarted`)).json()) as Record<string, any>;
        expect(flow.tasks).toHaveLength(TASKS);
        // Until the scheduler's first pass (parsing every stored flow) is over.
        await vi.waitFor(
          async () => {
            const health = (await (await fetch(`${server.url}/health`)).json()) as Record<string, any>;
            expect(health.roles.scheduler.lastPassDate).toBeDefined();
          },
          { timeout: 60_000, interval: 100 },
        );
      } finally {
        await probe.stop();
      }
      expect(probe.answered).toBeGreaterThan(10);
      // From the moment it listened (loading the modules before is not the scheduler's pass).
      expectNoLongStall(server.stalls(probe.listeningSince));
    },
    TEST_TIMEOUT_MS,
  );
});
