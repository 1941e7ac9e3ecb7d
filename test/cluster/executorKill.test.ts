/**
 * One executor, three workers, one scheduler and two webservers as separate processes (the built
 * CLI) on a fresh PostgreSQL database and an S3 server: 1,000 executions submitted through both
 * webservers while a one-second Schedule runs, the executor and the scheduler SIGKILLed and
 * restarted at random moments. At the end every execution is terminal, none lost or doubled, and
 * every scheduled date started exactly one execution (checked with SQL).
 */
import { describe, expect, it } from "vitest";
import { serviceAvailable } from "@saker/engine/testing";
import { createFlow, useCluster, submit, until, type ClusterProcess } from "./harness.ts";

const up = await serviceAvailable("PostgreSQL", "127.0.0.1", 5432);

const EXECUTIONS = 1000;

const WORK = `id: work
namespace: cluster.test
tasks:
  - id: answer
    type: io.kestra.plugin.core.debug.Return
    format: "{{ execution.id }}"
`;

const TICK = `id: tick
namespace: cluster.test
tasks:
  - id: answer
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.date }}"
triggers:
  - id: every-second
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "* * * * * *"
    withSeconds: true
`;

const t0 = Date.now();
const note = (what: string) => process.env.SAKER_DEBUG && process.stderr.write(`[${Date.now() - t0} ms] ${what}\n`);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const randomMs = (min: number, max: number) => min + Math.floor(Math.random() * (max - min));

describe.skipIf(!up)("an executor and a scheduler killed at random moments", () => {
  const clusterOf = useCluster({ workerTaskRestartStrategy: "IMMEDIATELY" });

  it("loses, doubles and leaves unfinished nothing", async () => {
    const cluster = clusterOf();
    const [web1, web2] = await Promise.all([cluster.start("webserver"), cluster.start("webserver")]);
    let executor: ClusterProcess;
    let scheduler: ClusterProcess;
    [executor, scheduler] = await Promise.all([
      cluster.start("executor"),
      cluster.start("scheduler"),
      cluster.start("worker", ["--concurrency", "8"]),
      cluster.start("worker", ["--concurrency", "8"]),
      cluster.start("worker", ["--concurrency", "8"]),
    ]);
    await createFlow(web1!.api!, WORK);
    await createFlow(web2!.api!, TICK);

    // 1,000 executions through both webservers, 16 requests at a time
    const ids: string[] = [];
    let next = 0;
    const submitting = Promise.all(
      Array.from({ length: 16 }, async (_, lane) => {
        while (next < EXECUTIONS) {
          next++;
          ids.push(await submit((lane % 2 ? web2 : web1)!.api!, "cluster.test", "work"));
        }
      }),
    );
    // meanwhile, SIGKILL and restart the executor and the scheduler at random moments
    const kills = { executor: 0, scheduler: 0 };
    let lastSchedulerStart = Date.now();
    // the executor's and the scheduler's deaths are independent: two chains side by side
    const chaos = Promise.all([
      (async () => {
        for (let round = 0; round < 2; round++) {
          await pause(randomMs(500, 4000));
          await cluster.kill(executor);
          kills.executor++;
          note(`executor killed (${ids.length} submitted)`);
          executor = await cluster.start("executor");
          note("executor restarted");
        }
      })(),
      (async () => {
        for (let round = 0; round < 2; round++) {
          await pause(randomMs(500, 4000));
          await cluster.kill(scheduler);
          kills.scheduler++;
          note(`scheduler killed (${ids.length} submitted)`);
          scheduler = await cluster.start("scheduler");
          lastSchedulerStart = Date.now();
          note("scheduler restarted");
        }
      })(),
    ]);
    note("cluster started, flows created");
    await Promise.all([submitting.then(() => note("all submitted")), chaos]);
    expect(kills).toEqual({ executor: 2, scheduler: 2 });

    // the schedule runs on after the last restart, missed dates caught up; then it stops
    await until(
      "the schedule to run after the last restart",
      async () => {
        const { rows } = await cluster.db.query<{ last: string | null }>(
          "SELECT MAX(json::jsonb ->> 'scheduleDate') AS last FROM executions WHERE flow_id = 'tick'",
        );
        return rows[0]?.last != null && Date.parse(rows[0].last) > lastSchedulerStart + 1000;
      },
      60_000,
    );
    note("schedule ran after the last restart");
    scheduler.child.kill("SIGTERM");
    await new Promise((resolve) => scheduler.child.once("exit", resolve));

    // every execution ends: waited for as long as they keep ending (a stall of a minute fails)
    let unfinished = Number.MAX_SAFE_INTEGER;
    let progressAt = Date.now();
    for (;;) {
      const { rows } = await cluster.db.query<{ n: string }>("SELECT COUNT(*) AS n FROM executions WHERE NOT finished");
      const left = Number(rows[0]!.n);
      if (left === 0) break;
      if (left < unfinished) {
        if (unfinished !== Number.MAX_SAFE_INTEGER) note(`${left} executions left`);
        unfinished = left;
        progressAt = Date.now();
      } else if (Date.now() - progressAt > 60_000) {
        const states = await cluster.db.query(
          "SELECT flow_id, state, COUNT(*) AS n FROM executions WHERE NOT finished GROUP BY 1, 2",
        );
        const queue = await cluster.db.query(
          "SELECT topic, claimed_by, COUNT(*) AS n FROM queue GROUP BY 1, 2 ORDER BY 1, 2",
        );
        const processes = await cluster.db.query("SELECT owner, roles, state FROM processes ORDER BY started_at");
        throw new Error(
          `${left} executions stalled for a minute: ${JSON.stringify({ states: states.rows, queue: queue.rows, processes: processes.rows })}\nexecutor output:\n${executor.output().slice(-3000)}`,
        );
      }
      await pause(1000);
    }
    note("every execution ended");
    // none lost, none doubled: the 1,000 submitted, each once, each SUCCESS with its one task run
    expect(new Set(ids).size).toBe(EXECUTIONS);
    const work = await cluster.db.query<{ id: string; state: string; runs: string }>(
      `SELECT e.id, e.state, (SELECT COUNT(*) FROM task_runs r WHERE r.execution_id = e.id) AS runs
       FROM executions e WHERE flow_id = 'work'`,
    );
    expect(work.rows).toHaveLength(EXECUTIONS);
    expect(new Set(work.rows.map((r) => r.id))).toEqual(new Set(ids));
    expect(work.rows.filter((r) => r.state !== "SUCCESS" || r.runs !== "1")).toEqual([]);

    // every scheduled date started exactly one execution, from the first to the last, none missed
    const doubled = await cluster.db.query(
      `SELECT json::jsonb ->> 'scheduleDate' AS date, COUNT(*) AS n FROM executions
       WHERE flow_id = 'tick' GROUP BY 1 HAVING COUNT(*) > 1`,
    );
    expect(doubled.rows).toEqual([]);
    const dates = await cluster.db.query<{ first: string; last: string; n: string; ended: string }>(
      `SELECT MIN(json::jsonb ->> 'scheduleDate') AS first, MAX(json::jsonb ->> 'scheduleDate') AS last,
         COUNT(*) AS n, COUNT(*) FILTER (WHERE state = 'SUCCESS') AS ended
       FROM executions WHERE flow_id = 'tick'`,
    );
    const { first, last, n, ended } = dates.rows[0]!;
    expect(Number(n)).toBe((Date.parse(last) - Date.parse(first)) / 1000 + 1);
    expect(ended).toBe(n);
  }, 600_000);
});
