/**
 * SIGKILL the worker running a task: the cluster declares it dead, the task runs again on another
 * worker, and the execution ends once, SUCCESS. Real processes (the built CLI) on a fresh
 * PostgreSQL database and an S3 server.
 */
import { describe, expect, it } from "vitest";
import { serviceAvailable } from "@saker/engine/testing";
import { runCli } from "../integration/cli.ts";
import { createFlow, useCluster, submit, until } from "./harness.ts";

const up = await serviceAvailable("PostgreSQL", "127.0.0.1", 5432);

const FLOW = `id: slow
namespace: cluster.test
tasks:
  - id: nap
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT4S
  - id: done
    type: io.kestra.plugin.core.debug.Return
    format: "{{ taskrun.startDate }}"
`;

const GROUPED = `id: grouped
namespace: cluster.test
tasks:
  - id: nap
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT2S
    workerGroup:
      key: gpu
`;

describe.skipIf(!up)("a worker killed in the middle of a task", () => {
  const clusterOf = useCluster({ workerTaskRestartStrategy: "AFTER_TERMINATION_GRACE_PERIOD" });

  it("has its task run again on another worker, and the execution ends once", async () => {
    const cluster = clusterOf();
    const web = await cluster.start("webserver");
    const [executor, gpu, ...workers] = await Promise.all([
      cluster.start("executor"),
      cluster.start("worker", ["--worker-group", "gpu"]),
      cluster.start("worker"),
      cluster.start("worker"),
    ]);
    await createFlow(web.api!, FLOW);
    const id = await submit(web.api!, "cluster.test", "slow");

    // the worker that took the Sleep
    let holder: string | undefined;
    await until(
      "a worker to take the task",
      async () => {
        const { rows } = await cluster.db.query<{ claimed_by: string | null }>(
          "SELECT claimed_by FROM queue WHERE topic = 'worker' AND key = $1",
          [id],
        );
        holder = rows[0]?.claimed_by ?? undefined;
        return holder !== undefined;
      },
      60_000,
    );
    const victim = workers.find((w) => w.owner === holder)!;
    expect(victim).toBeDefined();
    await cluster.kill(victim);

    // declared dead, its job freed after the grace period and taken by the other worker
    const survivor = workers.find((w) => w !== victim)!;
    await until(
      "the other worker to take the task again",
      async () => {
        const { rows } = await cluster.db.query<{ claimed_by: string | null }>(
          "SELECT claimed_by FROM queue WHERE topic = 'worker' AND key = $1",
          [id],
        );
        return rows[0]?.claimed_by === survivor.owner;
      },
      60_000,
    );
    await until(
      "the execution to end",
      async () => {
        const { rows } = await cluster.db.query("SELECT 1 FROM executions WHERE id = $1 AND finished", [id]);
        return rows.length === 1;
      },
      60_000,
    );
    const { rows } = await cluster.db.query<{ state: string; json: string }>(
      "SELECT state, json FROM executions WHERE flow_id = 'slow'",
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.state).toBe("SUCCESS");
    const histories = (JSON.parse(rows[0]!.json) as { state: { histories: { state: string }[] } }).state.histories;
    expect(histories.filter((h) => h.state === "SUCCESS")).toHaveLength(1);
    const runs = await cluster.db.query<{ json: string }>(
      "SELECT json FROM task_runs WHERE execution_id = $1 ORDER BY position",
      [id],
    );
    expect(runs.rows.map((r) => (JSON.parse(r.json) as { taskId: string; state: { current: string } }).taskId)).toEqual(
      ["nap", "done"],
    );
    expect(
      runs.rows.every((r) => (JSON.parse(r.json) as { state: { current: string } }).state.current === "SUCCESS"),
    ).toBe(true);
    // the cluster saw it go: DISCONNECTED, then NOT_RUNNING once its job was given away
    const state = await cluster.db.query<{ state: string }>("SELECT state FROM processes WHERE owner = $1", [
      victim.owner,
    ]);
    expect(state.rows[0]!.state).toBe("NOT_RUNNING");
    const listed = (await (await fetch(`${web.api}/cluster`)).json()) as { results: { id: string; state: string }[] };
    expect(listed.results.find((p) => p.id === victim.owner)?.state).toBe("NOT_RUNNING");
    const states = Object.fromEntries(listed.results.map((p) => [p.id, p.state]));
    expect(states).toEqual({
      [web.owner]: "RUNNING",
      [executor!.owner]: "RUNNING",
      [gpu!.owner]: "RUNNING",
      [survivor.owner]: "RUNNING",
      [victim.owner]: "NOT_RUNNING",
    });
    expect(listed.results.find((p) => p.id === gpu!.owner)).toMatchObject({ workerGroup: "gpu", roles: ["worker"] });

    const cli = await runCli(["cluster", "list", "-c", cluster.configFile, "--json"]);
    expect(cli.code, cli.stderr).toBe(0);
    const listedByCli = JSON.parse(cli.stdout) as { id: string; state: string; roles: string[] }[];
    expect(Object.fromEntries(listedByCli.map((p) => [p.id, p.state]))).toEqual(states);
    expect(listedByCli.find((p) => p.id === executor!.owner)?.roles).toEqual(["executor"]);

    // a task of a worker group goes to that group's worker only
    await createFlow(web.api!, GROUPED);
    const grouped = await submit(web.api!, "cluster.test", "grouped");
    const takers = new Set<string>();
    await until(
      "the grouped execution to end",
      async () => {
        const claims = await cluster.db.query<{ claimed_by: string | null }>(
          "SELECT claimed_by FROM queue WHERE topic = 'worker' AND key = $1 AND claimed_by IS NOT NULL",
          [grouped],
        );
        for (const r of claims.rows) takers.add(r.claimed_by!);
        const { rows } = await cluster.db.query("SELECT 1 FROM executions WHERE id = $1 AND finished", [grouped]);
        return rows.length === 1;
      },
      60_000,
    );
    expect([...takers]).toEqual([gpu!.owner]);
    const end = await cluster.db.query<{ state: string }>("SELECT state FROM executions WHERE id = $1", [grouped]);
    expect(end.rows[0]!.state).toBe("SUCCESS");
  }, 120_000);
});
