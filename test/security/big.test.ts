/**
 * Big things never block everyone: a 5 MB flow, executions with 10 MB outputs, a task writing
 * 100,000 log lines, an oversized body on a kept-alive connection. A real `server local` child
 * process answers `/health` throughout, and no turn of its event loop holds the CPU for long
 * (serverProcess.ts, whileProbing). Bulk import is all or nothing, also when the server is killed
 * with SIGKILL in the middle of it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExecutionStore, openDatabase } from "@saker/engine/testing";
import { postYaml } from "../../packages/server/src/__tests__/testApi.ts";
import { startServerProcess, whileProbing, type ServerProcess } from "./serverProcess.ts";

const MAX_REQUEST_SIZE = 20_000_000;
/** Only against a hang: the big requests take minutes of wall time when the machine is loaded. */
const TEST_TIMEOUT_MS = 300_000;

const work = mkdtempSync(join(tmpdir(), "saker-big-"));
let server: ServerProcess;

beforeAll(async () => {
  server = await startServerProcess(join(work, "home"), { SAKER_SERVER_MAX_REQUEST_SIZE: String(MAX_REQUEST_SIZE) });
}, 60_000);

afterAll(async () => {
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
});

async function runToEnd(api: string, namespace: string, flowId: string): Promise<Record<string, any>> {
  const response = await fetch(`${api}/executions/${namespace}/${flowId}?wait=true`, {
    method: "POST",
    body: new FormData(),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, any>;
}

describe("a 5 MB flow", () => {
  const TASKS = 25_000;
  const yaml =
    "id: huge\nnamespace: big.flows\nlabels:\n  size: huge\ntasks:\n" +
    Array.from(
      { length: TASKS },
      (_, i) =>
        `  - id: t${i}\n    type: io.kestra.plugin.core.log.Log\n    message: "task ${i} says hello with some padding ${"x".repeat(100)}"\n`,
    ).join("");

  it(
    "is read back and listed while /health keeps answering",
    async () => {
      expect(yaml.length).toBeGreaterThan(5_000_000);
      expect((await postYaml(`${server.api}/flows`, yaml)).status).toBe(200);
      expect(
        (
          await postYaml(
            `${server.api}/flows`,
            "id: small\nnamespace: big.flows\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n",
          )
        ).status,
      ).toBe(200);

      const { result: flow } = await whileProbing(
        server,
        async () => (await fetch(`${server.api}/flows/big.flows/huge`)).json() as Promise<Record<string, any>>,
      );
      expect(flow.tasks).toHaveLength(TASKS);
      expect(flow.tasks[TASKS - 1]).toMatchObject({
        id: `t${TASKS - 1}`,
        message: expect.stringContaining(`task ${TASKS - 1} says hello`),
      });
      expect(flow.labels).toEqual([{ key: "size", value: "huge" }]);

      const { result: page } = await whileProbing(
        server,
        async () =>
          (await fetch(`${server.api}/flows/search?size=5&sort=id:asc`)).json() as Promise<Record<string, any>>,
      );
      expect(page.total).toBe(2);
      expect(page.results.map((f: any) => f.id)).toEqual(["huge", "small"]);
      expect(page.results[0].tasks).toHaveLength(TASKS);

      const { result: byLabel } = await whileProbing(
        server,
        async () =>
          (await fetch(`${server.api}/flows/search?filters[labels][EQUALS]=size:huge`)).json() as Promise<
            Record<string, any>
          >,
      );
      expect(byLabel.results.map((f: any) => f.id)).toEqual(["huge"]);

      const source = await (
        await fetch(`${server.api}/flows/big.flows/huge`, { headers: { Accept: "application/x-yaml" } })
      ).text();
      expect(source).toBe(yaml);
    },
    TEST_TIMEOUT_MS,
  );
});

describe("executions with 10 MB outputs", () => {
  it(
    "are searched without their outputs, and read whole by id, while /health keeps answering",
    async () => {
      expect(
        (
          await postYaml(
            `${server.api}/flows`,
            "id: out\nnamespace: big.executions\ntasks:\n  - id: r\n    type: io.kestra.plugin.core.debug.Return\n    format: small\n",
          )
        ).status,
      ).toBe(200);
      const first = await runToEnd(server.api, "big.executions", "out");
      expect(first.state.current).toBe("SUCCESS");

      // Ten more like it, each with a 10 MB output, written as the executor writes them.
      const db = openDatabase(join(work, "home", "saker.db"));
      const store = new ExecutionStore(db);
      const stored = store.get(first.id)!;
      const big = (i: number) => `${i}:`.padEnd(10_000_000, "o");
      const ids: string[] = [];
      try {
        for (let i = 0; i < 10; i++) {
          const id = `bigOutput${i}`;
          ids.push(id);
          const startDate = new Date(Date.parse(first.state.startDate) + (i + 1) * 1000).toISOString();
          const execution = {
            ...stored.execution,
            id,
            state: { ...stored.execution.state, startDate },
            taskRunList: stored.execution.taskRunList.map((run) => ({
              ...run,
              executionId: id,
              outputs: { value: big(i) },
            })),
          };
          store.insert({ execution, executorState: stored.executorState, finished: true });
        }
      } finally {
        db.close();
      }

      const { result: text } = await whileProbing(server, async () =>
        (await fetch(`${server.api}/executions/search?size=1`)).text(),
      );
      expect(text.length).toBeLessThan(100_000);
      const page = JSON.parse(text) as { total: number; results: Record<string, any>[] };
      expect(page.total).toBe(11);
      expect(page.results[0]!.id).toBe("bigOutput9");
      expect(page.results[0]!.taskRunList[0].taskId).toBe("r");
      expect(page.results[0]!.taskRunList[0].outputs).toBeUndefined();

      const { result: whole } = await whileProbing(
        server,
        async () => (await fetch(`${server.api}/executions/bigOutput3`)).json() as Promise<Record<string, any>>,
      );
      expect(whole.taskRunList[0].outputs.value).toBe(big(3));
    },
    TEST_TIMEOUT_MS,
  );
});

describe("a task writing 100,000 log lines", () => {
  const LINES = 100_000;

  it(
    "stores every line in order, progressively, while /health keeps answering",
    async () => {
      const yaml = `id: chatty\nnamespace: big.logs\ntasks:\n  - id: many\n    type: io.kestra.plugin.core.log.Log\n    message:\n${Array.from({ length: LINES }, (_, i) => `      - "line ${i}"`).join("\n")}\n`;
      expect((await postYaml(`${server.api}/flows`, yaml)).status).toBe(200);

      const reader = new Database(join(work, "home", "saker.db"), { readonly: true });
      const countOf = (id: string) =>
        (
          reader
            .prepare(
              "SELECT COUNT(*) AS n FROM logs WHERE execution_id = ? AND task_id = 'many' AND message LIKE 'line %'",
            )
            .get(id) as { n: number }
        ).n;
      try {
        const counts = new Set<number>();
        const { result: execution } = await whileProbing(server, async () => {
          const created = (await (
            await fetch(`${server.api}/executions/big.logs/chatty`, { method: "POST", body: new FormData() })
          ).json()) as Record<string, any>;
          for (;;) {
            counts.add(countOf(created.id));
            const current = (await (await fetch(`${server.api}/executions/${created.id}`)).json()) as Record<
              string,
              any
            >;
            if (["SUCCESS", "FAILED", "WARNING", "KILLED"].includes(current.state.current)) return current;
            await new Promise((r) => setTimeout(r, 20));
          }
        });
        expect(execution.state.current).toBe("SUCCESS");
        // Written in batches as the task goes, not held until it ends.
        expect([...counts].some((n) => n > 0 && n < LINES)).toBe(true);
        const messages = (
          reader
            .prepare(
              "SELECT message FROM logs WHERE execution_id = ? AND task_id = 'many' AND message LIKE 'line %' ORDER BY seq",
            )
            .all(execution.id) as { message: string }[]
        ).map((r) => r.message);
        expect(messages).toHaveLength(LINES);
        const outOfOrder = messages.findIndex((m, i) => m !== `line ${i}`);
        expect(outOfOrder).toBe(-1);
      } finally {
        reader.close();
      }
    },
    TEST_TIMEOUT_MS,
  );
});

describe("an oversized body on a kept-alive connection", () => {
  it("is answered 413 and the connection closes cleanly instead of swallowing the next request", async () => {
    const socket = connect(Number(new URL(server.url).port), "127.0.0.1");
    let received = "";
    socket.on("data", (d: Buffer) => (received += d.toString()));
    const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    socket.on("error", () => undefined);
    socket.write(
      `POST /api/v1/flows HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-yaml\r\nConnection: keep-alive\r\nContent-Length: ${MAX_REQUEST_SIZE * 2}\r\n\r\n`,
    );
    socket.write("x".repeat(10_000));
    await new Promise<void>((resolve) => {
      const check = () => (received.includes("\r\n\r\n") ? resolve() : setTimeout(check, 10));
      check();
    });
    expect(received).toMatch(/^HTTP\/1\.1 413/);
    expect(received).toContain(`limit of ${MAX_REQUEST_SIZE} bytes`);
    // The client sends its next request on the same connection: it is either answered, or the
    // server has said `Connection: close` and closes the socket; it never hangs.
    socket.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    const outcome = await Promise.race([
      closed.then(() => "closed"),
      new Promise<string>((resolve) => {
        const check = () => (/HTTP\/1\.1 200/.test(received) ? resolve("answered") : setTimeout(check, 10));
        check();
      }),
      new Promise<string>((resolve) => setTimeout(() => resolve("hung"), 10_000)),
    ]);
    socket.destroy();
    expect(outcome).not.toBe("hung");
    if (outcome === "closed") expect(received.toLowerCase()).toContain("connection: close");
  }, 30_000);

  it("leaves a keep-alive client able to send its next request", async () => {
    const { Agent, request } = await import("node:http");
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const send = (method: string, path: string, headers: Record<string, string | number>, body?: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request(
          { host: "127.0.0.1", port: Number(new URL(server.url).port), method, path, headers, agent, timeout: 10_000 },
          (res) => {
            res.resume();
            res.on("end", () => resolve(res.statusCode ?? 0));
          },
        );
        req.on("timeout", () => req.destroy(new Error(`${method} ${path} was not answered`)));
        req.on("error", reject);
        if (body !== undefined) req.write(body);
        req.end();
      });
    try {
      // Declares more than the limit, sends only the start of it and then waits for the answer.
      const early = await new Promise<number>((resolve, reject) => {
        const req = request(
          {
            host: "127.0.0.1",
            port: Number(new URL(server.url).port),
            method: "POST",
            path: "/api/v1/flows",
            agent,
            headers: { "Content-Type": "application/x-yaml", "Content-Length": MAX_REQUEST_SIZE + 1 },
          },
          (res) => {
            res.resume();
            res.on("end", () => resolve(res.statusCode ?? 0));
          },
        );
        req.on("error", reject);
        req.write("x".repeat(1000));
      });
      expect(early).toBe(413);
      expect(await send("GET", "/health", {})).toBe(200);
    } finally {
      agent.destroy();
    }
  }, 30_000);
});

describe("bulk import", () => {
  it(
    "of 1,500 flows killed with SIGKILL half way leaves all of them or none",
    async () => {
      const home = join(work, "bulk-home");
      const bulk = await startServerProcess(home);
      const FLOWS = 1500;
      const body = Array.from(
        { length: FLOWS },
        (_, i) =>
          `id: f${i}\nnamespace: big.bulk\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: "flow ${i}"\n`,
      ).join("---\n");
      const reader = new Database(join(home, "saker.db"), { readonly: true });
      const stored = () =>
        (
          reader.prepare("SELECT COUNT(DISTINCT id) AS n FROM flows WHERE namespace = 'big.bulk'").get() as {
            n: number;
          }
        ).n;
      let seenAtKill: number;
      try {
        const importing = fetch(`${bulk.api}/flows/bulk`, {
          method: "POST",
          headers: { "Content-Type": "application/x-yaml" },
          body,
        }).then(
          (r) => r.status,
          () => 0,
        );
        // Killed as soon as the first flows show up, or after a while when none do.
        const started = Date.now();
        while (stored() === 0 && Date.now() - started < 1500) await new Promise((r) => setTimeout(r, 5));
        await bulk.kill();
        seenAtKill = stored();
        await importing;
      } finally {
        reader.close();
      }
      const restarted = await startServerProcess(home);
      try {
        const page = (await (
          await fetch(`${restarted.api}/flows/search?size=1&filters[namespace][EQUALS]=big.bulk`)
        ).json()) as { total: number };
        expect([0, FLOWS]).toContain(page.total);
        expect([0, FLOWS]).toContain(seenAtKill);
      } finally {
        await restarted.stop();
      }
    },
    TEST_TIMEOUT_MS,
  );
});
