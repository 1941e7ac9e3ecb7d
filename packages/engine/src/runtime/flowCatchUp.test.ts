/**
 * An executor on a shared PostgreSQL database handed an execution of a flow revision its
 * process has not heard of (saved by another process whose notification has not come, or copied
 * by `saker migrate` while it runs) reads the flow from the database instead of failing the
 * execution with FLOW_NOT_FOUND.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresBackend } from "../backend/postgres/postgresBackend.ts";
import { serviceAvailable } from "../testing/services.ts";
import { openCluster, type TestCluster } from "../testing/testInstance.ts";

const up = await serviceAvailable("PostgreSQL", "127.0.0.1", 5432);

const SOURCE = `id: unheard
namespace: company.catchup
tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: hello
`;

describe.skipIf(!up)("a flow revision not heard of yet on PostgreSQL", () => {
  let cluster: TestCluster | undefined;
  let raw: PostgresBackend;

  beforeAll(async () => {
    cluster = await openCluster();
    raw = await PostgresBackend.open({ url: cluster.database.url });
  }, 60_000);
  afterAll(async () => {
    await raw?.close();
    await cluster?.close();
  });

  it("runs the execution: the executor reads the flow from the database", async () => {
    // Written straight into the table, as `saker migrate` does: no process is told of it.
    await raw.flows.insertRevision({
      tenantId: "main",
      namespace: "company.catchup",
      id: "unheard",
      revision: 1,
      source: SOURCE,
      deleted: false,
      disabled: false,
      updated: new Date().toISOString(),
      labels: [],
    });
    const { runner, api } = cluster!;
    expect(runner.instance.flows.find("company.catchup", "unheard")).toBeUndefined();
    // created through the other process (which reads the flow when asked to start it)
    const created = await api.instance.createExecution("company.catchup", "unheard");
    const ended = await runner.instance.waitForSettled(created.id, 20_000);
    expect(ended.state.current).toBe("SUCCESS");
  });
});
