/** `saker cluster list`: the processes sharing the PostgreSQL database, with their liveness state. */
import type { Command } from "commander";
import { configFrom, withInstanceOptions, type GlobalOptions } from "../options.ts";

interface ListOptions extends GlobalOptions {
  json?: boolean;
}

export function configureClusterCommand(program: Command): void {
  const cluster = program.command("cluster").description("Look at the processes of a cluster on PostgreSQL");
  withInstanceOptions(
    cluster
      .command("list")
      .description("List the processes sharing the database (roles, host, pid, state, last heartbeat)")
      .option("--json", "print JSON instead of a table"),
  ).action(async (options: ListOptions) => {
    const config = await configFrom(options);
    const { readClusterProcesses } = await import("@saker/engine");
    const processes = await readClusterProcesses(config);
    if (options.json) {
      // the shape of GET /api/v1/cluster's results
      const results = processes.map(({ owner, ...rest }) => ({ id: owner, ...rest }));
      process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
      return;
    }
    const header = ["ID", "ROLES", "STATE", "HOST", "PID", "GROUP", "CONCURRENCY", "HEARTBEAT"];
    const rows = processes.map((p) => [
      p.owner,
      p.roles.join(",") || "-",
      p.state,
      p.hostname ?? "-",
      p.pid === null ? "-" : String(p.pid),
      p.workerGroup ?? "-",
      p.concurrency === null ? "-" : String(p.concurrency),
      p.heartbeatAt,
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (cells: string[]) =>
      cells
        .map((c, i) => c.padEnd(widths[i]!))
        .join("  ")
        .trimEnd();
    process.stdout.write(`${[header, ...rows].map(line).join("\n")}\n`);
    if (rows.length === 0) process.stdout.write("(no process has opened this database yet)\n");
  });
}
