/**
 * `GET /cluster`: the processes sharing the database (Kestra's server components) with their
 * roles and liveness state: RUNNING, DISCONNECTED (silent past `server.liveness.timeout`, its work
 * given to others), TERMINATING, TERMINATED, NOT_RUNNING. On SQLite, this process alone.
 */
import { errorMessage, isSakerError, SakerError, z } from "@saker/sdk";
import { defineRoute, type AnyRoute } from "../http/route.ts";
import { errors } from "../openapi/schemas.ts";

const ProcessSchema = z.object({
  id: z.string(),
  roles: z.array(z.enum(["executor", "worker", "scheduler", "webserver"])),
  state: z.enum(["RUNNING", "DISCONNECTED", "TERMINATING", "TERMINATED", "NOT_RUNNING"]),
  hostname: z.string().nullable(),
  pid: z.number().int().nullable(),
  workerGroup: z.string().nullable(),
  concurrency: z.number().int().nullable(),
  startedAt: z.string(),
  heartbeatAt: z.string(),
  stateAt: z.string().nullable(),
});

const cluster = defineRoute({
  method: "GET",
  url: "/cluster",
  summary: "The processes of the cluster, with their roles and liveness state",
  tags: ["Cluster"],
  response: { 200: z.object({ results: z.array(ProcessSchema), total: z.number().int() }), ...errors(400) },
  async handler({ ctx }) {
    let rows;
    try {
      rows = await ctx.instance.clusterProcesses();
    } catch (error) {
      if (isSakerError(error)) throw error;
      throw new SakerError("ENGINE_UNAVAILABLE", `Unable to read the cluster's processes: ${errorMessage(error)}`);
    }
    const results = rows.map(({ owner, roles, ...rest }) => ({
      id: owner,
      roles: roles.filter((r): r is "executor" | "worker" | "scheduler" | "webserver" =>
        ["executor", "worker", "scheduler", "webserver"].includes(r),
      ),
      ...rest,
    }));
    return { results, total: results.length };
  },
});

export const clusterRoutes: readonly AnyRoute[] = [cluster];
